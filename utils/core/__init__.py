"""What every package imports and nothing in the project is imported by: errors, the settings base, the resource
provider base and the base schema of a split. A leaf: it imports no other project package."""
