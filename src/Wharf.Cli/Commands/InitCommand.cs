using System.CommandLine;
using Wharf.Projects;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf init DIR</c>: scaffolds a project that runs as is.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("directory") { Description = "The folder to create the project in.", DefaultValueFactory = _ => "." };
        var command = new Command("init", "Create a new project: wharf.yml, a sample CSV, .env.example and .gitignore.") { directory };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var folder = parse.GetValue(directory)!;
            var written = await ProjectScaffold.CreateAsync(folder, cancellationToken);
            foreach (var file in written)
            {
                Console.Out.WriteLine($"created {Path.GetRelativePath(Environment.CurrentDirectory, file)}");
            }

            Console.Out.WriteLine($"Next: wharf run --project {folder}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
