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

    /// <summary>
    /// Runs a frame route's body: a formula error is printed with its caret under <paramref name="formulaText"/>, bad
    /// data or a refused option as "error: …"; both exit 1.
    /// </summary>
    public static int Guard(string? formulaText, TextWriter stderr, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Diagnostics.NablaException.Find(e) is { } d)
        {
            stderr.Write(Commands.FormatError(formulaText ?? "", d));
            return 1;
        }
        catch (Exception e) when (e is CsvDataException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Reads <paramref name="predictPath"/> as a frame, predicts each row and writes them (to --output or standard output).</summary>
    public static void Predict(string predictPath, FrameOptions frameOpts, Func<Frame, double[]> predict, string? outPath, TextWriter stdout, TextWriter summary)
    {
        var newFrame = FrameReader.Read(predictPath, frameOpts);
        long rows = FramePredictions.Write(predictPath, newFrame, predict(newFrame), outPath, stdout, frameOpts.Decimal);
        if (outPath is not null) summary.WriteLine($"wrote {rows} predictions to {outPath}");
    }
}
