"""Discord cogs: extensions that ``DossierBot.setup_hook`` loads (each module ends with ``setup(bot)``)."""
