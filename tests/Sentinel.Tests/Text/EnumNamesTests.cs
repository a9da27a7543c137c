using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sentinel.Text;

namespace Sentinel.Tests.Text;

/// <summary>Domain states are enums with one JSON name each: in JSON files, in text output and on the command line.</summary>
public sealed class EnumNamesTests
{
    private static readonly Assembly[] Stages =
        [typeof(EnumNames).Assembly, typeof(Sentinel.Triage.Proposal).Assembly, typeof(Sentinel.Issues.IssueAction).Assembly];

    private static IEnumerable<Type> Found() =>
        Stages.SelectMany(a => a.GetTypes()).Where(t => t.IsEnum && t.IsPublic && t.GetCustomAttribute<JsonConverterAttribute>() is not null);

    public static TheoryData<Type> DomainEnums() => [.. Found()];

    [Fact]
    public void TheDomainStates_AreAllFound()
    {
        var found = Found().Select(t => t.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "ProposalStatus", "DecisionAction", "InputStatus", "IssueStep", "IssueOutcomeStatus", "LedgerStatus", "IssueState", "HealthState", "RegressionKind", "RegressionStatus" }, found);
    }

    [Theory]
    [MemberData(nameof(DomainEnums))]
    public void EveryValue_HasOneJsonName_UsedBySerialization_AndByEnumNames(Type type)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in Enum.GetValues(type))
        {
            var attribute = type.GetField(value.ToString()!)!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>();
            Assert.NotNull(attribute);
            Assert.True(names.Add(attribute.Name), $"{type.Name}: the name '{attribute.Name}' is used twice");

            // Serialized with default options (what StateFile and --format json add does not matter: the type carries its converter).
            Assert.Equal($"\"{attribute.Name}\"", JsonSerializer.Serialize(value, type));
            Assert.Equal(value, JsonSerializer.Deserialize($"\"{attribute.Name}\"", type));
            var name = (string)typeof(EnumNames).GetMethod(nameof(EnumNames.Name))!.MakeGenericMethod(type).Invoke(null, [value])!;
            Assert.Equal(attribute.Name, name);
        }
    }

    [Fact]
    public void KnownNames_AreTheOnesInTheDocsAndFiles()
    {
        Assert.Equal("pending", Sentinel.Triage.ProposalStatus.Pending.Name());
        Assert.Equal("insufficient data", Sentinel.Aggregate.HealthState.InsufficientData.Name());
        Assert.Equal("approve", Sentinel.Triage.DecisionAction.Approve.Name());
        Assert.Equal("quarantined", Sentinel.Ingest.InputStatus.Quarantined.Name());
        Assert.Equal("reopen", Sentinel.Issues.IssueStep.Reopen.Name());
        Assert.Equal(["pending", "approved", "rejected", "stale"], EnumNames.All<Sentinel.Triage.ProposalStatus>());
    }

    [Theory]
    [InlineData("approve", true)]
    [InlineData("reject", true)]
    [InlineData("Approve", false)]
    [InlineData("aprove", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void TryParse_IsExactAndCaseSensitive(string? text, bool known)
    {
        Assert.Equal(known, EnumNames.TryParse<Sentinel.Triage.DecisionAction>(text, out _));
    }

    [Fact]
    public void An_UnknownName_DoesNotDeserialize()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Sentinel.Triage.ProposalStatus>("\"Approved\""));
    }
}
