import QuarryCLI

await QuarryCommand.main()
