// Storage: being written.
