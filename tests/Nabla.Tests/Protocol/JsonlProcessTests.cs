using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Nabla.Tests.Protocol;

/// <summary>Drives `nabla jsonl` as a separate process, as a client would.</summary>
public class JsonlProcessTests
{
    private static List<string> RunJsonl(string input)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll");
        var psi = new ProcessStartInfo("dotnet", [cli, "jsonl"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "nabla jsonl did not exit");
        Assert.Equal(0, p.ExitCode);
        Assert.Equal("", p.StandardError.ReadToEnd());
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    [Fact]
    public void Good_bad_and_malformed_lines_each_get_one_response_in_order()
    {
        var lines = new[]
        {
            """{"id": 1, "expr": "x'*A*x", "wrt": ["x"]}""",
            "",
            "this is not json",
            """{"id": 3, "expr": "x*y"}""",
            "   ",
            """{"id": 4, "expr": "det(A)", "wrt": ["A"], "at": {"A": [[2, 0], [0, 3]]}}""",
            """{"id": 5}""",
            "[]",
            """{"id": 7, "expr": "sum(log(x))", "at": {"x": [-1]}}""",
            """{"id": 8, "expr": "log(1+exp(-y*<w,x>))", "wrt": ["w"]}""",
        };
        var responses = RunJsonl(string.Join("\n", lines) + "\n").Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();
        Assert.Equal(8, responses.Count);
        Assert.Equal("(A+A')*x", (string)responses[0]["results"]![0]!["text"]!);
        Assert.Equal("bad_request", (string)responses[1]["error"]!["code"]!);
        Assert.Equal("shape_error", (string)responses[2]["error"]!["code"]!);
        Assert.Equal(3, (int)responses[2]["id"]!);
        Assert.Equal("[[3,0],[0,2]]", responses[3]["results"]![0]!["value"]!.ToJsonString());
        Assert.Equal("bad_request", (string)responses[4]["error"]!["code"]!);
        Assert.Equal(5, (int)responses[4]["id"]!);
        Assert.Equal("bad_request", (string)responses[5]["error"]!["code"]!);
        Assert.Equal("domain_error", (string)responses[6]["error"]!["code"]!);
        Assert.Equal("-sigmoid(-y*w'*x)*y*x", (string)responses[7]["results"]![0]!["text"]!);
    }

    [Fact]
    public void Input_without_a_final_newline_is_still_answered()
    {
        var responses = RunJsonl("""{"id": 1, "expr": "tr(A*B)", "wrt": ["A"]}""");
        Assert.Single(responses);
        Assert.Contains("\"text\":\"B'\"", responses[0]);
    }
}
