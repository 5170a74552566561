from movieagg.cli import main

main()
