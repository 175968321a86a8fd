"""The evaluation report: comparison tables, plots, teacher subsets, speed/cost and examples,
written as self-contained HTML (:mod:`.writers`) and Markdown, rendered headless by :mod:`.browser`.

Build it with :func:`clin_distill.report.build.build_report`.
"""
