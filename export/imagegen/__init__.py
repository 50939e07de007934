"""Picture models: emoji caption-image data, the text-conditioned GAN, the static text encoder."""
