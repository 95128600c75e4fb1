"""answers layer: guidance answers to questions (answer.py: Answerer; lead.py: the lead line;
grounding.py: the optional language model, held to the retrieved provisions by opaque keys).
Above retrieval and kb, beside drafting: api → answers → retrieval → kb."""
