from stratcompare.cli import main

main()
