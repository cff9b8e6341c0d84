using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>`nabla check`: exit codes 0 (ok), 1 (bad input), 2 (bad command line).</summary>
public class CheckCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Commands.Run(args, stdout, stderr);
        return (code, stdout.ToString().Replace("\r\n", "\n"), stderr.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void Lists_type_shape_and_variables()
    {
        var (code, output, err) = Run("check", "x'*A*x");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("x'*A*x", lines[0]);
        Assert.Equal("  type:  scalar", lines[1]);
        Assert.Equal("  shape: scalar", lines[2]);
        Assert.Equal("variables:", lines[3]);
        Assert.Matches(@"^  x  vector\(n\)\s+\(naming convention\)$", lines[4]);
        Assert.Matches(@"^  A  matrix\(n,n\)\s+\(naming convention\)$", lines[5]);
    }

    [Fact]
    public void Declared_and_inferred_variables_are_labelled()
    {
        var (code, output, _) = Run("check", "tr(x)+b'*S*b", "--var", "S:symmetric(k)", "--var", "b:vector");
        Assert.Equal(0, code);
        Assert.Contains("  type:  scalar", output);
        Assert.Matches(@"x\s+matrix\(n,n\)\s+\(inferred from use\)", output);
        Assert.Matches(@"S\s+symmetric\(k\)\s+\(declared\)", output);
        Assert.Matches(@"b\s+vector\(k\)\s+\(declared\)", output);
    }

    [Fact]
    public void Vector_result_reports_its_shape()
    {
        var (code, output, _) = Run("check", "A*x", "--var", "A:matrix(m,n)");
        Assert.Equal(0, code);
        Assert.Contains("  type:  vector\n", output);
        Assert.Contains("  shape: vector(m)\n", output);
    }

    [Fact]
    public void An_error_shows_the_caret_line_and_returns_1()
    {
        var (code, output, err) = Run("check", "a+2x");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(
            "error[parse_error]: implicit multiplication is not allowed: write '2*x' instead of '2x'\n" +
            "  a+2x\n" +
            "    ^^\n", err);
    }

    [Fact]
    public void A_shape_error_underlines_the_whole_product()
    {
        var (code, _, err) = Run("check", "x*y");
        Assert.Equal(1, code);
        Assert.Equal(
            "error[shape_error]: cannot multiply x (vector n) by y (vector m); did you mean x'*y or x.*y?\n" +
            "  x*y\n" +
            "  ^^^\n", err);
    }

    [Fact]
    public void An_error_at_the_end_gets_one_caret()
    {
        var (code, _, err) = Run("check", "a+");
        Assert.Equal(1, code);
        Assert.EndsWith("  a+\n    ^\n", err);
    }

    [Fact]
    public void A_bad_declaration_is_a_command_line_error()
    {
        var (code, _, err) = Run("check", "x", "--var", "x:tensor");
        Assert.Equal(2, code);
        Assert.StartsWith("nabla: --var 'x:tensor': bad type 'tensor'", err);
    }

    [Fact]
    public void An_unknown_option_returns_2()
    {
        var (code, output, err) = Run("check", "x", "--bogus");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--bogus", err);
        Assert.Contains("nabla --help", err);
    }

    [Fact]
    public void A_missing_expression_returns_2()
    {
        var (code, _, _) = Run("check");
        Assert.Equal(2, code);
    }

    [Fact]
    public void An_unknown_command_returns_2()
    {
        var (code, _, _) = Run("chek", "x");
        Assert.Equal(2, code);
    }
}

public class CompletionTests
{
    [Theory]
    [InlineData("gra", "grad")]
    [InlineData("grad x --w", "--wrt")]
    [InlineData("regress --sol", "--solver")]
    [InlineData("grad x --wrt x --l", "--latex")]
    [InlineData("jac x --wrt x --check --st", "--steps")]
    public void Completions_come_from_the_command_definitions(string line, string expected)
    {
        var o = new StringWriter();
        Assert.Equal(0, Nabla.Cli.Commands.Run(["complete", line], o, new StringWriter()));
        Assert.Contains(expected, o.ToString().Split('\n', StringSplitOptions.TrimEntries));
    }
}

public class UnknownCommandTests
{
    [Fact]
    public void An_unknown_command_gets_one_message()
    {
        var (rc, _, err) = Tests.Cli.CliRunner.Run("foo");
        Assert.Equal(2, rc);
        Assert.Equal(["nabla: Unrecognized command or argument 'foo'.", "Run 'nabla --help' for the commands and their options."],
            err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

public class JsonOutputTests
{
    [Fact]
    public void Grad_with_json_prints_the_protocol_answer()
    {
        var (rc, stdout, _) = Tests.Cli.CliRunner.Run("grad", "x'*A*x", "--wrt", "x", "--var", "A:symmetric", "--json");
        Assert.Equal(0, rc);
        var r = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        Assert.Equal("2*A*x", (string)r["results"]![0]!["text"]!);
        Assert.Equal(Nabla.Protocol.RequestHandler.HandleLine("{\"expr\":\"x'*A*x\",\"vars\":{\"A\":\"symmetric\"},\"wrt\":[\"x\"],\"derivative\":\"gradient\"}"), stdout.Trim());
    }

    [Fact]
    public void Check_with_json_reports_an_error_as_the_protocol_does_and_exits_1()
    {
        var (rc, stdout, _) = Tests.Cli.CliRunner.Run("check", "x*y", "--json");
        Assert.Equal(1, rc);
        var r = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        Assert.Equal("shape_error", (string)r["error"]!["code"]!);
        Assert.Equal(0, (int)r["error"]!["start"]!);
    }

    [Fact]
    public void Info_with_json_is_one_object_and_check_does_not_go_with_json()
    {
        var (rc, stdout, _) = Tests.Cli.CliRunner.Run("info", "--json");
        Assert.Equal(0, rc);
        var r = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        Assert.True((int)r["threads"]! >= 1);
        (rc, _, var err) = Tests.Cli.CliRunner.Run("grad", "x'*x", "--wrt", "x", "--check", "--json");
        Assert.Equal(2, rc);
        Assert.Contains("does not go with --json", err);
    }
}
