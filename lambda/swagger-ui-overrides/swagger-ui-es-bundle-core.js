/* Not shipped: the /docs page loads swagger-ui-bundle.js and swagger-ui-standalone-preset.js only (.cargo/config.toml). */
