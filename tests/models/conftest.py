"""A small random GPT-NeoX built in code (no download), saved once per test session."""

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    torch.manual_seed(0)
    config = GPTNeoXConfig(vocab_size=97, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                           max_position_embeddings=128, rotary_pct=0.25, eos_token_id=0, bos_token_id=0)
    model = GPTNeoXForCausalLM(config).eval()
    directory = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(directory, safe_serialization=True)
    return directory


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from transformers import GPTNeoXForCausalLM

    return GPTNeoXForCausalLM.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
