namespace Sentinel.Tests.Robustness;

/// <summary>
/// The robustness tests time child processes, kill them, and watch process memory: they run alone
/// (not beside the rest of the suite), so neither their timings nor their memory readings are
/// disturbed by other tests, and they disturb nobody.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RobustnessCollection
{
    public const string Name = "Robustness (runs alone)";
}
