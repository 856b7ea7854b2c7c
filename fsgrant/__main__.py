from fsgrant.cli import main

main()
