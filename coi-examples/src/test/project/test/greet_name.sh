[ "$(build/greet coi)" = "Hello, coi!" ] || { echo "expected the name in the greeting"; exit 1; }
