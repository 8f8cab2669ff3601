"""One module per kind of import: its row rules, how rows meet stored records, and its staging SQL."""
