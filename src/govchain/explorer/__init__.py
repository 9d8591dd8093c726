"""The citizen explorer: an indexer that follows the chain and a web app over its database."""
