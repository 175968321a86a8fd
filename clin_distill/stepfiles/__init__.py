"""Typed, versioned files passed between the weasel steps: one pydantic model per file, one concern per
module. Each file is written with ``Model(...).write(path)`` and read with ``Model.read(path)``
(:mod:`.base`); its ``schema`` names the model and version (``clin_distill.<name>.v<n>``).

File (model): written by → read by

- ``corpus/pool/pool.json`` (:class:`.pool.Pool`): pool → package.
- ``corpus/teachers/<t>/<dataset>/failures.json`` (:class:`.failures.Failures`): teach-open-vocab,
  teach-quickumls, teach-licensed, teach-llm, teach-local-llm → combine, evaluate.
- ``corpus/distilled/failures.json`` (:class:`.failures.Failures`): combine → evaluate.
- ``metrics/teachers/<t>.json`` (:class:`.teacher_metrics.TeacherMetrics`): the teach steps →
  benchmark (ontology teachers' speed), evaluate (``small_local_model``), the teach scripts' tables.
- ``metrics/teachers/<t>.usage.json`` (:class:`.llm_usage.LLMUsage`): teach-llm, teach-local-llm →
  benchmark (LLM speed and cost), report (local-LLM ledger).
- ``metrics/combine/subsets.json`` (:class:`.combine.SubsetSearch`): combine → report.
- ``metrics/combine/choice.json`` (:class:`.combine.CombineChoice`): combine → package, report.
- ``metrics/benchmark.json`` (:class:`.benchmark.Benchmark`): benchmark → package, report.
- ``metrics/local_llm_speed.json`` (:class:`.local_llm_speed.LocalLLMSpeed`): bench-local-llm → report.
- ``metrics/anchored.json`` (:class:`.anchored.AnchoredCorpus`): anchor → package.
- ``metrics/self_training.json`` (:class:`.self_training.SelfTraining`): self-train → people reviewing it.
- ``metrics/candidates.json`` (:class:`.candidates.Candidates`): candidates → people reviewing it.
- ``training/human/specialists.json`` (:class:`.specialists.Specialists`): train-human → evaluate.
- ``metrics/<system>/<corpus>.json`` (:class:`.system_metrics.SystemMetrics`): evaluate → report, package.
- ``metrics/note_sentences.json`` (:class:`.note_sentences.NoteSentences`): package → report.
- ``metrics/teacher_errors.json`` (:class:`.teacher_errors.TeacherErrors`): teacher-errors → people
  tuning the teachers.

:mod:`.scores` holds the span scores these files share; :mod:`.prices` reads ``configs/prices.cfg``.
"""
