using System.Globalization;

namespace Nabla.Data;

/// <summary>Predictions written beside the data they were made for: a CSV echoed row by row with a last column, or Parquet.</summary>
public static class FramePredictions
{
    /// <summary>
    /// Writes <paramref name="values"/> (one per row of <paramref name="frame"/>, read from <paramref name="inputPath"/>;
    /// NaN — a row with a missing value — as an empty field or a null) to <paramref name="outPath"/> (atomically: a
    /// temporary file renamed into place) or, when null, to <paramref name="stdout"/> as CSV. Parquet when the output
    /// ends in .parquet. Returns the number of rows.
    /// </summary>
    public static long Write(string inputPath, Frame frame, double[] values, string? outPath, TextWriter stdout, char decimalSeparator = '.')
    {
        if (outPath is not null && FrameReader.IsParquet(outPath))
            return Atomic(outPath, s => { ParquetFrames.Write(frame, [("prediction", values)], s); return values.LongLength; });
        if (outPath is null) return Csv(inputPath, frame, values, stdout, decimalSeparator);
        return Atomic(outPath, s =>
        {
            using var w = new StreamWriter(s);
            return Csv(inputPath, frame, values, w, decimalSeparator);
        });
    }

    /// <summary>
    /// Writes through a temporary file in the same folder, renamed over <paramref name="path"/> only when the writer
    /// finished: an error midway leaves the old file (or none) and no partial output.
    /// </summary>
    public static long Atomic(string path, Func<Stream, long> write)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            long n;
            using (var f = File.Create(tmp)) n = write(f);
            File.Move(tmp, full, overwrite: true);
            return n;
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static long Csv(string inputPath, Frame frame, double[] values, TextWriter output, char decimalSeparator)
    {
        if (FrameReader.IsParquet(inputPath))
        {
            // no text to echo: write the frame's columns as CSV
            output.WriteLine(string.Join(",", frame.Columns.Select(c => Field(c.Name)).Append("prediction")));
            for (int i = 0; i < frame.Rows; i++)
                output.WriteLine(string.Join(",", frame.Columns.Select(c => Field(Cell(c, i)))) + "," + Number(values[i], '.'));
            return frame.Rows;
        }
        using var stream = CsvSource.OpenFile(inputPath);
        using var reader = CsvSource.Open(stream, inputPath, decimalSeparator);
        var header = reader.Header;
        var sep = header.ColNames.Count > 1 ? reader.Spec.Sep.Separator : ',';
        output.WriteLine(string.Join(sep, header.ColNames) + sep + "prediction");
        long n = 0;
        foreach (var row in reader)
        {
            if (row.ColCount == 1 && header.ColNames.Count > 1 && row.Span.IsWhiteSpace()) continue;
            if (n >= values.Length) throw new CsvDataException($"the file '{inputPath}' changed while it was read");
            output.Write(row.Span);
            output.Write(sep);
            output.WriteLine(Number(values[n], decimalSeparator));
            n++;
        }
        return n;
    }

    private static string Number(double v, char dec)
    {
        if (double.IsNaN(v)) return "";
        var text = v.ToString("R", CultureInfo.InvariantCulture);
        return dec == ',' ? text.Replace('.', ',') : text;
    }

    private static string Cell(FrameColumn c, int i) => c switch
    {
        NumberColumn n => double.IsNaN(n.Values[i]) ? "" : n.Values[i].ToString("R", CultureInfo.InvariantCulture),
        TextColumn t => t.Codes[i] < 0 ? "" : t.Levels[t.Codes[i]],
        _ => "",
    };

    private static string Field(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
