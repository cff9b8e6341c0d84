using Nabla.Data;

namespace Nabla.Models;

/// <summary>
/// Least squares straight from a CSV: the sums from one chunked pass (<see cref="CsvSource"/>), then the solve; the
/// rows are kept only for the qr, svd and gd solvers, or while the file is small. Predictions written row by row.
/// </summary>
public static class CsvRegression
{
    /// <summary>Reads <paramref name="path"/> and fits <paramref name="target"/> on <paramref name="features"/> (all other columns when null).</summary>
    /// <param name="path">The CSV file, with a header row.</param>
    /// <param name="target">The column to predict.</param>
    /// <param name="features">The feature columns; all others when null.</param>
    /// <param name="options">Intercept, ridge, solver.</param>
    /// <param name="progress">Called with (bytes read, bytes in all) after each chunk.</param>
    /// <param name="decimalSeparator">'.' (numbers as 1.5) or ',' (numbers as 1,5); never a thousands separator.</param>
    public static RegressionResult Fit(string path, string target, IReadOnlyList<string>? features = null,
        RegressionOptions? options = null, Action<long, long>? progress = null, char decimalSeparator = '.')
    {
        options ??= new RegressionOptions();
        bool keepAll = options.Solver is Solver.Qr or Solver.Svd or Solver.Gd;
        bool wideRoute = LinearRegression.MayTakeWideRoute(options);
        var (sums, rows, cols) = CsvSource.Read(path, target, features, keepAll, options.Solver == Solver.Auto, progress, decimalSeparator, deferWhileWide: wideRoute);
        var o = options with { FeatureNames = cols.FeatureNames, TargetName = cols.TargetName };
        // fewer rows than features: the wide route works on the rows and never forms the Gram matrix
        if (sums is null) return LinearRegression.TakesWideRoute(rows!.N, rows.D, o) ? LinearRegression.FitWide(rows, o) : LinearRegression.Solve(rows.Sums(), rows, o);
        return LinearRegression.Solve(sums, rows, o);
    }

    /// <summary>Writes each row of <paramref name="path"/> with the model's prediction appended as a last column.</summary>
    public static long Predict(string path, RegressionResult model, TextWriter output, char decimalSeparator = '.') =>
        Predict(path, model.FeatureNames, x => model.Predict(x), output, decimalSeparator);

    /// <summary>Writes each row of <paramref name="path"/> with <paramref name="predict"/> of its feature columns appended as a last column.</summary>
    public static long Predict(string path, IReadOnlyList<string> featureNames, Func<double[], double> predict, TextWriter output, char decimalSeparator = '.')
    {
        using var stream = CsvSource.OpenFile(path);
        using var reader = CsvSource.Open(stream, path, decimalSeparator);
        var header = reader.Header;
        string list = string.Join(", ", header.ColNames);
        var idx = new int[featureNames.Count];
        for (int j = 0; j < idx.Length; j++)
            if (!header.TryIndexOf(featureNames[j], out idx[j]))
                throw new CsvDataException($"the feature column '{featureNames[j]}' is not in the header of '{path}'; its columns are: {list}");
        var sep = header.ColNames.Count > 1 ? reader.Spec.Sep.Separator : ','; // one column: Sep cannot tell, prefer the comma
        output.WriteLine(string.Join(sep, header.ColNames) + sep + "prediction");
        var x = new double[idx.Length];
        long n = 0;
        foreach (var row in reader)
        {
            if (row.ColCount == 1 && header.ColNames.Count > 1 && row.Span.IsWhiteSpace()) continue; // a blank line
            if (row.ColCount != header.ColNames.Count)
                throw new CsvDataException($"row {n + 1} (line {row.LineNumberFrom}) has {row.ColCount} fields, but the header has {header.ColNames.Count}");
            try
            {
                for (int j = 0; j < idx.Length; j++) x[j] = CsvSource.Value(row, idx[j], featureNames[j], decimalSeparator);
            }
            catch (CsvSource.BadValue e)
            {
                throw new CsvDataException($"row {n + 1} (line {row.LineNumberFrom}), {e.Message}");
            }
            output.Write(row.Span);
            output.Write(sep);
            var text = predict(x).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            output.WriteLine(decimalSeparator == ',' ? text.Replace('.', ',') : text);
            n++;
        }
        return n;
    }
}
