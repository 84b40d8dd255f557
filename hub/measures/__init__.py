"""The measure catalogue served to readers: what each figure means and which way is better."""
