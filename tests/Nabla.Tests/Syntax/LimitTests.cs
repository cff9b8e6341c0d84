using System.Diagnostics;
using Nabla.Diagnostics;
using Nabla.Semantics;

namespace Nabla.Tests.Syntax;

/// <summary>Hostile sizes fail fast with limit_exceeded, never with a stack overflow.</summary>
public class LimitTests
{
    private static Diagnostic FailsFast(string text)
    {
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<NablaException>(() => Binder.Bind(text));
        sw.Stop();
        Assert.Equal(ErrorCodes.LimitExceeded, e.Diagnostic.Code);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), $"took {sw.Elapsed}");
        return e.Diagnostic;
    }

    public static TheoryData<string, string> Huge => new()
    {
        { "1 MB of names", new string('x', 1 << 20) },
        { "1 MB of sums", string.Concat(Enumerable.Repeat("a+", 1 << 19)) + "a" },
        { "100,000 parentheses", new string('(', 100_000) + "x" + new string(')', 100_000) },
        { "100,000 minus signs", new string('-', 100_000) + "x" },
        { "100,000 transposes", "x" + new string('\'', 100_000) },
        { "100,000 calls", string.Concat(Enumerable.Repeat("exp(", 100_000)) + "x" + new string(')', 100_000) },
    };

    [Theory]
    [MemberData(nameof(Huge))]
    public void Over_long_input_is_refused(string label, string text)
    {
        var d = FailsFast(text);
        Assert.Contains("characters long; the limit is", d.Message);
        Assert.False(string.IsNullOrEmpty(label));
    }

    // Deep but short enough to pass the length check: the depth limit must catch these.
    public static TheoryData<string, string, string> Deep => new()
    {
        { "parentheses", new string('(', 30_000) + "x" + new string(')', 30_000), "(" },
        { "unmatched parentheses", new string('(', 60_000), "(" },
        { "minus signs", new string('-', 60_000) + "x", "-" },
        { "plus signs", new string('+', 60_000) + "x", "+" },
        { "transposes", "x" + new string('\'', 60_000), "'" },
        { ".T transposes", "x" + string.Concat(Enumerable.Repeat(".T", 30_000)), ".T" },
        { "powers", string.Concat(Enumerable.Repeat("a^", 30_000)) + "a", "^" },
        { "element-wise powers", string.Concat(Enumerable.Repeat("x.^", 20_000)) + "a", ".^" },
        { "calls", string.Concat(Enumerable.Repeat("exp(", 12_000)) + "x" + new string(')', 12_000), "(" },
        { "inner products", string.Concat(Enumerable.Repeat("<", 60_000)), "<" },
        { "divisions", "a" + string.Concat(Enumerable.Repeat("/a", 30_000)), "/" },
        { "element-wise quotients", "x" + string.Concat(Enumerable.Repeat("./x", 20_000)), "./" },
        { "element-wise products", "x" + string.Concat(Enumerable.Repeat(".*x", 20_000)), ".*" },
    };

    [Theory]
    [MemberData(nameof(Deep))]
    public void Deep_nesting_is_refused(string label, string text, string at)
    {
        var d = FailsFast(text);
        Assert.Equal($"the expression is nested more than {Nabla.Syntax.Parser.MaxDepth} levels deep", d.Message);
        Assert.NotNull(d.Span);
        Assert.True(text[d.Span!.Value.Start..d.Span.Value.End] == at, $"{label}: span {d.Span} is '{text[d.Span.Value.Start..d.Span.Value.End]}'");
    }

    // Left nesting that the top-down depth count does not see: the tree height limit catches it.
    public static TheoryData<string, string, string> Tall => new()
    {
        { "parenthesised transposes", new string('(', 100) + "x" + string.Concat(Enumerable.Repeat(")" + new string('\'', 40), 100)), "'" },
        { "parenthesised divisions", new string('(', 100) + "a" + string.Concat(Enumerable.Repeat(string.Concat(Enumerable.Repeat("/a", 40)) + ")", 100)), "/" },
        { "parenthesised quotients", new string('(', 100) + "x" + string.Concat(Enumerable.Repeat(string.Concat(Enumerable.Repeat("./x", 40)) + ")", 100)), "./" },
    };

    [Theory]
    [MemberData(nameof(Tall))]
    public void Tall_trees_are_refused(string label, string text, string at)
    {
        var d = FailsFast(text);
        Assert.Equal($"the expression is nested more than {Nabla.Syntax.Parser.MaxHeight} operations deep", d.Message);
        Assert.True(text[d.Span!.Value.Start..d.Span.Value.End] == at, $"{label}: span {d.Span}");
    }

    [Fact]
    public void Long_flat_chains_within_the_limits_bind()
    {
        // '+', '-' and '*' chains stay flat in the IR, so length is their only limit.
        foreach (var text in new[]
                 {
                     "a" + string.Concat(Enumerable.Repeat("+a", 20_000)),
                     "x" + string.Concat(Enumerable.Repeat("-x", 20_000)),
                     "a" + string.Concat(Enumerable.Repeat("*a", 20_000)),
                 })
        {
            var sw = Stopwatch.StartNew();
            var b = Binder.Bind(text);
            Assert.NotNull(Nabla.Printing.TextPrinter.Print(b.Root));
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
        }
    }

    [Fact]
    public void Nesting_just_inside_the_limit_binds_and_prints()
    {
        int depth = Nabla.Syntax.Parser.MaxDepth;
        string text = new string('(', depth) + "x" + new string(')', depth);
        Assert.Equal("x", Nabla.Printing.TextPrinter.Print(Binder.Bind(text).Root));
        string divisions = "a" + string.Concat(Enumerable.Repeat("/b", depth));
        Assert.Equal(divisions, Nabla.Printing.TextPrinter.Print(Binder.Bind(divisions).Root));
        string transposes = "x" + new string('\'', depth);
        Assert.Equal(transposes, Nabla.Printing.TextPrinter.Print(Binder.Bind(transposes).Root));
    }
}
