"""The public Python surface: run(), Program, and what they return."""
