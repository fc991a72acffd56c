"""Generated documents with gold answers (`synth`, `render`), scoring (`evaluate`), and the
pattern-example runners that need the whole pipeline (`examples`)."""
