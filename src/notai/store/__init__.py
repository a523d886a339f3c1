"""Storage: schema, migrations, both backends and every SQL statement, a repository a noun."""
