# Metrics and wallboard: the headless browser the wallboard tests drive.
.PHONY: wallboard-deps

wallboard-deps: ## Install chromium and chromium-driver (Debian) when missing, for the wallboard tests
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
		echo "chromium and chromedriver present"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver \
		|| echo "wallboard-deps: could not install chromium; the browser tests will be skipped"; \
	else \
		echo "wallboard-deps: no apt-get here; install chromium and chromedriver yourself (browser tests skip without them)"; \
	fi
