"""Socket capabilities the embedder hands a guest: host TCP, in-process pairs, browser bridges."""
