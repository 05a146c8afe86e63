using Wharf.Bench;

return BenchCommands.Run(args);
