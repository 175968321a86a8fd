"""Build a tiny, randomly initialised BERT model folder that transformers and
spacy-transformers load offline (no hub access)."""

from __future__ import annotations

from pathlib import Path

WORDS = (
    "patient denies chest pain fever cough nausea vomiting headache dizziness diabetes "
    "hypertension asthma cancer tumor carcinoma disease syndrome deficiency infection "
    "metformin insulin aspirin lisinopril warfarin heparin dose mg daily history of the "
    "a an and or with without no not was is were has had on in for to by at from"
).split()


def build_tiny_bert(path: str | Path, hidden: int = 32, layers: int = 2) -> Path:
    """Write config, tokenizer and random weights of a 2-layer BERT to ``path``."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, BertTokenizerFast

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = sorted({c for w in WORDS for c in w} | set("0123456789.,;:()-/%'\""))
    pieces = [f"##{c}" for c in chars] + chars + WORDS
    vocab = {tok: i for i, tok in enumerate(dict.fromkeys(special + pieces))}
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    fast = BertTokenizerFast(tokenizer_object=tok, do_lower_case=True, model_max_length=512)
    fast.save_pretrained(path)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=hidden * 2,
        max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(path)
    return path
