"""Fault, bad-input and PHI suite (issue 11): every case, each with an exact-outcome test.

Bad corpora (test_bad_corpora.py): empty file; 0-char note; 1 MB note through the notes
reader, the brat reader, the LLM chunker and evaluate; invalid UTF-8; CRLF and tabs;
offset past the end; annotation text mismatching its offsets; duplicate doc ids; unknown
labels. LLM faults through the local server (test_llm_faults.py): 429 storms with and
without Retry-After, 500s, timeouts, truncated JSON, entities absent from the note, wrong
format. Crash and resume (test_crash_resume.py): kill -9 of scripts/teach_llm.py, atomic
DocBin writes, a torn cache line. PHI and secrets (test_phi_and_secrets.py).
"""
