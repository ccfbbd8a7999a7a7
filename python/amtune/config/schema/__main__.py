from amtune.config.schema import main

main()
