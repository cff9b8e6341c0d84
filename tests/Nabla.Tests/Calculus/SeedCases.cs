using System.Text.Json.Nodes;
using Nabla.Protocol;

namespace Nabla.Tests.Calculus;

/// <summary>Every case of the shared seed file, through the JSON Lines protocol.</summary>
public class SeedCases
{
    private static string SeedPath() => Path.Combine(CalcHelpers.RepoRoot(), "tests", "cases", "seed.jsonl");

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadLines(SeedPath()).Where(l => l.Trim().Length > 0))
            data.Add(JsonNode.Parse(line)!["name"]!.GetValue<string>());
        return data;
    }

    [Fact]
    public void Seed_file_has_cases()
    {
        Assert.True(File.Exists(SeedPath()), "seed file missing at " + SeedPath());
        Assert.NotEmpty(Names());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Seed_case_prints_textbook_form_and_right_value(string name)
    {
        var line = File.ReadLines(SeedPath()).First(l => l.Trim().Length > 0 && JsonNode.Parse(l)!["name"]!.GetValue<string>() == name);
        var seed = JsonNode.Parse(line)!.AsObject();
        var response = JsonNode.Parse(RequestHandler.HandleLine(seed["request"]!.ToJsonString()))!.AsObject();
        Assert.True(response["ok"]!.GetValue<bool>(), $"{name}: {response.ToJsonString()}");
        var result = response["results"]![0]!;
        var text = CalcHelpers.NoSpace(result["text"]!.GetValue<string>());
        var textbook = seed["textbook"]!.AsArray().Select(t => CalcHelpers.NoSpace(t!.GetValue<string>())).ToList();
        Assert.True(textbook.Contains(text), $"{name}: printed {text}, textbook {string.Join(" or ", textbook)}");
        var expected = Flatten(seed["expect_value"]!).ToList();
        var actual = Flatten(result["value"]!).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected[i])),
                $"{name}: entry {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static IEnumerable<double> Flatten(JsonNode n) => n switch
    {
        JsonArray a => a.SelectMany(x => Flatten(x!)),
        _ => [n.GetValue<double>()],
    };
}
