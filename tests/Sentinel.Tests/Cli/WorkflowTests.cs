using System.Diagnostics;
using System.Text.RegularExpressions;
using Sentinel.Cli;
using Sentinel.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Sentinel.Tests.Cli;

/// <summary>The GitHub Actions workflows: every sentinel command parses, permissions are explicit, secrets stay secret.</summary>
public sealed partial class WorkflowTests
{
    private static string WorkflowDir => Path.Combine(Corpus.RepoRoot(), ".github", "workflows");

    private static List<(string File, YamlMappingNode Root)> Workflows()
    {
        var files = Directory.GetFiles(WorkflowDir, "*.yml").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 4, "expected ci, dashboard, triage and approve workflows");
        return files.Select(f =>
        {
            var yaml = new YamlStream();
            using var reader = new StreamReader(f);
            yaml.Load(reader);
            return (Path.GetFileName(f), (YamlMappingNode)yaml.Documents[0].RootNode);
        }).ToList();
    }

    private static YamlMappingNode Jobs(YamlMappingNode root) => (YamlMappingNode)root.Children[new YamlScalarNode("jobs")];

    private static IEnumerable<(string Job, YamlMappingNode Step)> Steps(YamlMappingNode root) =>
        Jobs(root).Children.SelectMany(job =>
            ((YamlMappingNode)job.Value).Children.TryGetValue(new YamlScalarNode("steps"), out var steps)
                ? ((YamlSequenceNode)steps).Children.Cast<YamlMappingNode>().Select(s => (((YamlScalarNode)job.Key).Value!, s))
                : []);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    [GeneratedRegex(@"(?:^|[;&|({]\s*|\bthen\s+|\belse\s+)(sentinel\s.*)$")]
    private static partial Regex SentinelLine();

    /// <summary>Shell words of a command line, up to the first redirection or control operator.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i >= line.Length || line[i] is '|' or ';' or '&' or '>' or '<' || line.AsSpan(i).StartsWith("2>"))
            {
                break;
            }

            var word = new System.Text.StringBuilder();
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                var c = line[i];
                if (c is '"' or '\'')
                {
                    var end = line.IndexOf(c, i + 1);
                    Assert.True(end > i, $"unbalanced quote in: {line}");
                    word.Append(line, i + 1, end - i - 1);
                    i = end + 1;
                }
                else if (c is '|' or ';' or '>')
                {
                    break;
                }
                else
                {
                    word.Append(c);
                    i++;
                }
            }

            words.Add(word.ToString());
        }

        return words;
    }

    [Fact]
    public void Every_sentinel_command_in_the_workflows_parses_against_the_real_command_tree()
    {
        var commands = new List<string>();
        var failures = new List<string>();
        foreach (var (file, root) in Workflows())
        {
            foreach (var (job, step) in Steps(root))
            {
                var run = Scalar(step, "run");
                if (run is null)
                {
                    continue;
                }

                foreach (var raw in run.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n'))
                {
                    var match = SentinelLine().Match(raw.Trim());
                    if (!match.Success)
                    {
                        continue;
                    }

                    var words = Words(match.Groups[1].Value);
                    Assert.Equal("sentinel", words[0]);
                    var parse = CommandTree.Build().Parse(words.Skip(1).ToArray());
                    commands.Add($"{file}/{job}: {string.Join(' ', words)}");
                    if (parse.Errors.Count > 0)
                    {
                        failures.Add($"{file}/{job}: `{match.Groups[1].Value}`: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        foreach (var expected in new[] { "ingest", "aggregate", "dashboard", "report", "triage", "issues" })
        {
            Assert.Contains(commands, c => c.Contains($"sentinel {expected}", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_misspelt_command_or_option_would_fail_that_check()
    {
        Assert.NotEmpty(CommandTree.Build().Parse(Words("sentinel dashbord --out site").Skip(1).ToArray()).Errors);
        Assert.NotEmpty(CommandTree.Build().Parse(Words("sentinel dashboard --out site --audiance public").Skip(1).ToArray()).Errors);
        Assert.Empty(CommandTree.Build().Parse(Words("sentinel dashboard --out site --audience public >> \"$X\"").Skip(1).ToArray()).Errors);
    }

    [Fact]
    public void Every_job_declares_least_privilege_permissions()
    {
        foreach (var (file, root) in Workflows())
        {
            Assert.True(root.Children.TryGetValue(new YamlScalarNode("permissions"), out var top), $"{file}: no top-level permissions");
            Assert.True(top is YamlMappingNode { Children.Count: 0 }, $"{file}: top-level permissions must be {{}} (each job asks for its own)");
            foreach (var job in Jobs(root).Children)
            {
                var name = $"{file}/{((YamlScalarNode)job.Key).Value}";
                Assert.True(((YamlMappingNode)job.Value).Children.TryGetValue(new YamlScalarNode("permissions"), out var permissions), $"{name}: no permissions");
                var map = Assert.IsType<YamlMappingNode>(permissions);
                Assert.NotEmpty(map.Children);
                foreach (var (scope, level) in map.Children.Select(kv => (((YamlScalarNode)kv.Key).Value, ((YamlScalarNode)kv.Value).Value)))
                {
                    Assert.True(level is "read" or "write" or "none", $"{name}: {scope}: {level}");
                    if (level == "write")
                    {
                        Assert.True(scope is "pages" or "id-token", $"{name}: only the Pages deployment may write ({scope}: write)");
                    }
                }
            }
        }
    }

    [Fact]
    public void Secrets_reach_steps_only_through_env_or_with_and_are_never_printed()
    {
        foreach (var (file, root) in Workflows())
        {
            var secretVars = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (job, step) in Steps(root))
            {
                if (step.Children.TryGetValue(new YamlScalarNode("env"), out var env))
                {
                    foreach (var kv in ((YamlMappingNode)env).Children)
                    {
                        if (((YamlScalarNode)kv.Value).Value?.Contains("secrets.", StringComparison.Ordinal) == true)
                        {
                            secretVars.Add(((YamlScalarNode)kv.Key).Value!);
                        }
                    }
                }
            }

            foreach (var (job, step) in Steps(root))
            {
                var run = Scalar(step, "run") ?? "";
                Assert.DoesNotContain("secrets.", run, StringComparison.Ordinal);
                foreach (var line in run.Split('\n').Where(l => Regex.IsMatch(l, @"\b(echo|printf|cat|tee)\b")))
                {
                    Assert.All(secretVars, v => Assert.DoesNotContain("$" + v, line, StringComparison.Ordinal));
                }
            }
        }
    }

    [Fact]
    public void Every_action_is_pinned_to_a_full_commit_sha()
    {
        foreach (var (file, root) in Workflows())
        {
            foreach (var (job, step) in Steps(root))
            {
                if (Scalar(step, "uses") is { } uses)
                {
                    Assert.Matches("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{40}$", uses);
                }
            }
        }
    }

    [Fact]
    public void Workflows_that_write_the_lake_share_one_concurrency_group()
    {
        foreach (var (file, root) in Workflows().Where(w => w.File != "ci.yml"))
        {
            var concurrency = Assert.IsType<YamlMappingNode>(root.Children[new YamlScalarNode("concurrency")]);
            Assert.Equal("sentinel-lake", Scalar(concurrency, "group"));
            Assert.Equal("false", Scalar(concurrency, "cancel-in-progress"));
        }
    }

    [Fact]
    public async Task Cron_local_runs_the_dashboard_job_on_the_samples()
    {
        using var dir = new TempDir();
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Corpus.RepoRoot(), "scripts", "cron-local.sh"));
        psi.ArgumentList.Add(dir.Path);
        psi.Environment["SENTINEL"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "sentinel.dll")}";
        psi.Environment["CI"] = "true";
        psi.Environment.Remove("SENTINEL_LAKE");
        psi.Environment.Remove("SENTINEL_CONFIG");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(timeout.Token);
        await stdout;
        Assert.True(p.ExitCode == 0, await stderr);

        Assert.True(File.Exists(Path.Combine(dir.Path, "site", "index.html")));
        Assert.Contains("public view", File.ReadAllText(Path.Combine(dir.Path, "site", "index.html")), StringComparison.Ordinal);
        Assert.StartsWith("# Sentinel health report", File.ReadAllText(Path.Combine(dir.Path, "summary.md")), StringComparison.Ordinal);
        Assert.Equal([".done"], Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "data", "inbox")).Select(Path.GetFileName));
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "data", "inbox", ".done")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "data", "lake", "summary", "meta.json")));
    }
}
