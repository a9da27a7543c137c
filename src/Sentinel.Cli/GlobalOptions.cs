using System.CommandLine;
using Sentinel.Config;
using Sentinel.Storage;

namespace Sentinel.Cli;

/// <summary>Options every command shares (DESIGN §12), defined once.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Lake = new("--lake")
    {
        Description = "Lake folder (default ./sentinel-data, or $SENTINEL_LAKE).",
        Recursive = true,
        HelpName = "DIR",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENTINEL_LAKE") is { Length: > 0 } env ? env : "./sentinel-data",
    };

    public static readonly Option<string?> Config = new("--config")
    {
        Description = "Config file (default ./sentinel.yml, or $SENTINEL_CONFIG); every setting has a default.",
        Recursive = true,
        HelpName = "FILE",
    };

    /// <summary>
    /// The lake named by <c>--lake</c>, opened once for the command and handed to its stage. Nothing is created
    /// here: ingest creates the folder on first write, and a stage that reads checks it exists (with its own hint).
    /// </summary>
    public static Storage.Lake OpenLake(ParseResult parse) => Storage.Lake.OpenOrCreate(parse.GetValue(Lake)!);

    public static SentinelConfig LoadConfig(ParseResult parse)
    {
        var given = parse.GetValue(Config);
        var env = Environment.GetEnvironmentVariable("SENTINEL_CONFIG");
        return given is not null ? ConfigLoader.Load(given, explicitlyGiven: true)
            : !string.IsNullOrEmpty(env) ? ConfigLoader.Load(env, explicitlyGiven: true)
            : ConfigLoader.Load(ConfigLoader.DefaultFileName, explicitlyGiven: false);
    }

    /// <summary>Runs a command body, mapping expected failures to the documented exit codes.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"sentinel: {e.Message}");
            return ExitCode.InvalidUsage;
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"sentinel: {e.Message}");
            return ExitCode.InvalidUsage;
        }
        catch (Exception e) when (e is Storage.LakeMissingException or Aggregate.SummariesMissingException or Dashboard.DashboardOutputException)
        {
            await Console.Error.WriteLineAsync($"sentinel: {e.Message}");
            return ExitCode.InvalidUsage;
        }
        catch (Storage.LakeLockedException e)
        {
            await Console.Error.WriteLineAsync($"sentinel: {e.Message}");
            return ExitCode.LakeLocked;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("sentinel: cancelled; nothing partial was committed (re-run to finish)");
            return ExitCode.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"sentinel: {e.Message}");
            return ExitCode.Failure;
        }
#pragma warning disable CA1031 // The last resort: a bug must still end with the documented "failure" code, not 1 (usage).
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"sentinel: internal error: {e}");
            return ExitCode.Failure;
        }
#pragma warning restore CA1031
    }
}

/// <summary>A command-line value that parses but makes no sense.</summary>
internal sealed class UsageException(string message) : Exception(message);
