using System.CommandLine;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Wharf.Cli.Rendering;
using Wharf.Projects;

namespace Wharf.Cli.Commands;

/// <summary>
/// Runs a command body and maps what it throws to an exit code and one clear paragraph on
/// standard error: configuration problems are 2, everything else Wharf reports is 1.
/// </summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (ProjectFileException ex)
        {
            WriteError(ex.Message);
            return ExitCodes.Usage;
        }
        catch (OptionException ex)
        {
            WriteError(ex.Message);
            return ExitCodes.Usage;
        }
        catch (UsageException ex)
        {
            WriteError(ex.Message);
            return ExitCodes.Usage;
        }
        catch (WharfException ex)
        {
            WriteError(ex.Message);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            WriteError("Cancelled. Nothing half-done was kept: the warehouse is as it was before the interrupted step.");
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug in Wharf, not in the user's data: say so, and keep the details for the report.
            WriteError($"Wharf failed unexpectedly ({ex.GetType().Name}: {ex.Message}). This is a bug in Wharf; please report it with the details below.");
            Console.Error.WriteLine(ex);
            return ExitCodes.Failed;
        }
    }

    /// <summary>Fails with usage exit code 2 when a named pipeline is not in the project.</summary>
    public static void RequirePipelines(Wharf.Projects.Project project, IReadOnlyCollection<string> names)
    {
        var unknown = names.Where(n => project.Pipelines.All(p => p.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"{project.File} has no pipeline named {string.Join(", ", unknown.Select(n => $"'{n}'"))}. Pipelines: {string.Join(", ", project.Pipelines.Select(p => p.Name))}.");
        }
    }

    public static void WriteError(string message) =>
        Console.Error.WriteLine($"error: {message}");

    /// <summary>The logging the command line asks for: <c>--verbose</c>, and <c>--log-format</c> (or <c>WHARF_LOG_FORMAT</c>).</summary>
    /// <exception cref="UsageException">The log format is neither human nor json.</exception>
    public static ILoggerFactory Logging(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var verbose = parse.GetValue(CommonOptions.Verbose);
        var format = parse.GetValue(CommonOptions.LogFormat) ?? Environment.GetEnvironmentVariable("WHARF_LOG_FORMAT") ?? "human";
        return format.ToLowerInvariant() switch
        {
            "human" or "" => Logging(verbose),
            "json" => Plain(new Rendering.JsonLineLogger(verbose ? LogLevel.Debug : LogLevel.Information, stacks: verbose), verbose ? LogLevel.Debug : LogLevel.Information),
            _ => throw new UsageException($"--log-format (or WHARF_LOG_FORMAT) must be human or json, not '{format}'."),
        };
    }

    /// <summary>Where the library logs: everything, with details, on standard error with <c>--verbose</c>; else warnings and errors in one line each.</summary>
    public static ILoggerFactory Logging(bool verbose) => verbose
        ? LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Debug)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddFilter((_, _) => true))
        : Plain(new StandardErrorLogger(), LogLevel.Warning);

    /// <summary>
    /// A factory over one provider of our own, built directly: <c>LoggerFactory.Create</c> builds a
    /// dependency-injection container first, which costs every command some 10–20 ms of its start.
    /// </summary>
    private static LoggerFactory Plain(ILoggerProvider provider, LogLevel minimum) =>
        new([provider], new LoggerFilterOptions { MinLevel = minimum });

    /// <summary>Spectre's console bound to standard output, plain when output is redirected.</summary>
    public static IAnsiConsole Out { get; } = CreateOut();

    private static IAnsiConsole CreateOut()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Interactive = Console.IsOutputRedirected ? InteractionSupport.No : InteractionSupport.Detect,
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        });

        // Redirected output has no width; wide enough that tables in logs are not wrapped.
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    }
}

/// <summary>The command line asks for something that cannot be (exit code 2).</summary>
internal sealed class UsageException(string message) : WharfException(message);
