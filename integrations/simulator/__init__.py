"""The feed simulator (`manage.py simulate`): realistic Harbin reports from every source, sent
through the real, signed endpoints. Generation is pure and seeded (`places`, `problems`,
`registers`, `generate`, `wire`); sending is a thin loop over HTTP (`send`)."""
