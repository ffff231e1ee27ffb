[ "$(build/greet)" = "Hello, world!" ] || { echo "expected the default greeting"; exit 1; }
