using System.CommandLine;
using Nabla.Data;

namespace Nabla.Cli;

/// <summary>The data options regress, glm and fit share: what counts as missing and what to do with such rows.</summary>
internal sealed class FrameCliOptions
{
    private readonly Option<string> _missing = new("--missing") { Description = "drop (default: leave out rows with a missing value in a used column, and say how many) or error (stop at the first, naming the row and column).", DefaultValueFactory = _ => "drop" };
    private readonly Option<string?> _na = new("--na") { Description = "Comma-separated values read as missing besides the empty field (default: NA,NaN,null)." };

    public FrameCliOptions() => _missing.AcceptOnlyFromAmong("drop", "error");

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_missing);
        cmd.Options.Add(_na);
    }

    /// <summary>Whether --na was given (it needs the frame reader).</summary>
    public bool Given(ParseResult p) => p.GetResult(_na) is { Implicit: false };

    public FrameOptions Read(ParseResult p, char decimalSeparator)
    {
        var tokens = p.GetValue(_na) is { } na
            ? na.Split(',', StringSplitOptions.TrimEntries).Where(t => t.Length > 0).ToArray()
            : FrameOptions.DefaultMissing;
        return new FrameOptions
        {
            MissingTokens = tokens,
            Decimal = decimalSeparator,
            Missing = p.GetValue(_missing) == "error" ? MissingPolicy.Error : MissingPolicy.Drop,
        };
    }
}
