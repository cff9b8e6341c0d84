using nietras.SeparatedValues;

namespace Nabla.Data;

/// <summary>A CSV that cannot be fitted as it is: the message names the row (and line) and the column.</summary>
public sealed class CsvDataException(string message) : Exception(message);

/// <summary>
/// A numeric CSV read with Sep, for least squares: one pass, in chunks, each chunk's X'X and X'y accumulated in
/// parallel while the next is parsed, so memory does not grow with the number of rows (the rows themselves are kept
/// only when asked, or while the file is small). Every value must be a finite number: nothing is dropped silently.
/// </summary>
public static class CsvSource
{
    /// <summary>Rows per chunk handed to the accumulator.</summary>
    public const int ChunkRows = 8192;

    /// <summary>Auto keeps the rows (for its QR/SVD fallback) while they hold at most this many values.</summary>
    public const long KeepRowsLimit = 4_000_000;

    /// <summary>A file read for a possibly wide fit holds its rows, before it has more rows than columns, up to this many values (1 GB).</summary>
    public const long WideRowsLimit = 125_000_000;

    /// <summary>The target and feature columns chosen from a header.</summary>
    public sealed record Columns(int Target, int[] Features, string TargetName, string[] FeatureNames, int Width)
    {
        /// <summary>The decimal separator of the numbers: '.' (the default) or ','.</summary>
        public char Decimal { get; init; } = '.';
    }

    /// <summary>
    /// Reads the target and feature columns. The sums are accumulated unless <paramref name="sums"/> is false; with
    /// <paramref name="deferWhileWide"/> they wait until the file has more rows than features, so a file with fewer
    /// (a wide design, fitted on its rows) returns its rows and no sums: no d×d Gram matrix is formed for it.
    /// </summary>
    internal static (GramSums? Sums, RowData? Rows, Columns Cols) Read(string path, string target, IReadOnlyList<string>? features,
        bool keepAll, bool keepSmall, Action<long, long>? progress, char decimalSeparator = '.', bool sums = true, bool deferWhileWide = false)
    {
        using var stream = OpenFile(path);
        using var reader = Open(stream, path, decimalSeparator);
        var cols = Choose(reader.Header, target, features, path) with { Decimal = decimalSeparator };
        int d = cols.Features.Length;
        var acc = new Lazy<GramAccumulator>(() => new GramAccumulator(d)); // (d+2)² doubles: only when sums are taken
        int chunkRows = (int)Math.Clamp((1 << 22) / Math.Max(d, 1), 16, ChunkRows); // a chunk of at most ~32 MB
        var kept = new List<(double[] X, double[] Y, int Rows)>();
        var deferred = new List<(double[] X, double[] Y, int Rows)>();
        bool keeping = keepAll || keepSmall;
        double[] bx = new double[chunkRows * d], by = new double[chunkRows];
        double[] spareX = new double[chunkRows * d], spareY = new double[chunkRows];
        Task pending = Task.CompletedTask;
        int filled = 0;
        long total = 0;

        void Flush()
        {
            if (filled == 0) return;
            pending.Wait();
            var (x, y, r) = (bx, by, filled);
            if (keeping)
            {
                kept.Add((x[..(r * d)], y[..r], r));
                if (!keepAll && (total + r) * (long)d > KeepRowsLimit) { keeping = false; kept.Clear(); }
            }
            if (sums && deferWhileWide && total + r <= d && (total + r) * (long)d <= WideRowsLimit) deferred.Add((x[..(r * d)], y[..r], r));
            else if (sums)
            {
                var held = deferred.ToArray();
                deferred.Clear();
                pending = Task.Run(() =>
                {
                    foreach (var (hx, hy, hr) in held) acc.Value.Add(hx, hy, hr);
                    acc.Value.Add(x, y, r);
                });
            }
            (bx, spareX) = (spareX, bx);
            (by, spareY) = (spareY, by);
            total += r;
            filled = 0;
            progress?.Invoke(stream.Position, stream.Length);
        }

        // rows are split and parsed on all cores by Sep (in order); the first bad row, in file order, is the one reported
        long rowNumber = 0;
        foreach (var (values, line, error) in reader.ParallelEnumerate(row => ParseRow(row, cols)))
        {
            if (values is null && error is null) continue; // a blank line
            rowNumber++;
            if (error is not null) throw new CsvDataException($"row {rowNumber} (line {line}){error}");
            by[filled] = values![d];
            Array.Copy(values, 0, bx, filled * d, d);
            if (++filled == chunkRows) Flush();
        }
        Flush();
        pending.Wait();
        if (total == 0) throw new CsvDataException($"the file '{path}' has a header but no data rows");
        RowData? data = null;
        if (deferred.Count > 0) kept = deferred; // wide: every row is held, and no sums were taken
        if (keeping || deferred.Count > 0)
        {
            var x = new double[total * d];
            var y = new double[total];
            long at = 0;
            foreach (var (cx, cy, r) in kept)
            {
                Array.Copy(cx, 0, x, at * d, (long)r * d);
                Array.Copy(cy, 0, y, at, r);
                at += r;
            }
            data = new RowData(x, (int)total, d, y);
        }
        return (sums && deferred.Count == 0 ? acc.Value.Result() : null, data, cols);
    }

    /// <summary>Opens an input file, saying plainly when it is missing or a folder.</summary>
    internal static CountingStream OpenFile(string path)
    {
        if (Directory.Exists(path)) throw new CsvDataException($"'{path}' is a folder, not a CSV file");
        if (!File.Exists(path)) throw new CsvDataException($"the file '{path}' does not exist");
        return new CountingStream(File.OpenRead(path));
    }

    internal static SepReader Open(Stream stream, string path, char decimalSeparator = '.')
    {
        if (decimalSeparator is not ('.' or ','))
            throw new ArgumentException($"the decimal separator must be '.' or ',', not '{decimalSeparator}'");
        SepReader reader;
        try
        {
            // With a decimal comma the fields cannot be comma-separated: Sep detects ';' or tab from the header.
            reader = Sep.Reader(o => o with { DisableColCountCheck = true, Unescape = true }).From(stream);
            if (decimalSeparator == ',' && reader.Spec.Sep.Separator == ',' && reader.Header.ColNames.Count > 1)
            {
                reader.Dispose();
                throw new CsvDataException($"the file '{path}' separates its fields with commas, so its numbers cannot have a decimal comma; leave out --decimal");
            }
        }
        catch (Exception e) when (e is not CsvDataException)
        {
            throw new CsvDataException($"the file '{path}' cannot be read as CSV: {e.Message}");
        }
        if (reader.Header.IsEmpty || reader.Header.ColNames.Count == 0 || reader.Header.ColNames.All(string.IsNullOrWhiteSpace))
        {
            reader.Dispose();
            throw new CsvDataException($"the file '{path}' is empty: there is no header row");
        }
        return reader;
    }

    /// <summary>The target and feature columns by name; every name must be in the header.</summary>
    public static Columns Choose(SepReaderHeader header, string target, IReadOnlyList<string>? features, string path)
    {
        var names = header.ColNames;
        string list = string.Join(", ", names);
        if (!header.TryIndexOf(target, out int t))
            throw new CsvDataException($"the target column '{target}' is not in the header of '{path}'; its columns are: {list}");
        var chosen = features?.ToArray() ?? [.. names.Where(n => n != target)];
        var idx = new int[chosen.Length];
        for (int j = 0; j < chosen.Length; j++)
        {
            if (chosen[j] == target) throw new CsvDataException($"the target column '{target}' cannot also be a feature");
            if (!header.TryIndexOf(chosen[j], out idx[j]))
                throw new CsvDataException($"the feature column '{chosen[j]}' is not in the header of '{path}'; its columns are: {list}");
        }
        var dup = chosen.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new CsvDataException($"the feature column '{dup.Key}' is given more than once");
        return new Columns(t, idx, target, chosen, names.Count);
    }

    /// <summary>The features then the target of one row, or the message saying what is wrong with it.</summary>
    /// <remarks>Sep's row index restarts in each parallel batch, so the row number is counted by the (ordered) consumer.</remarks>
    private static (double[]? Values, int Line, string? Error) ParseRow(SepReader.Row row, Columns cols)
    {
        try
        {
            if (row.ColCount == 1 && cols.Width > 1 && row.Span.IsWhiteSpace()) return (null, row.LineNumberFrom, null); // a blank line
            if (row.ColCount != cols.Width)
                return (null, row.LineNumberFrom, $" has {row.ColCount} fields, but the header has {cols.Width}");
            int d = cols.Features.Length;
            var v = new double[d + 1];
            for (int j = 0; j < d; j++) v[j] = Value(row, cols.Features[j], cols.FeatureNames[j], cols.Decimal);
            v[d] = Value(row, cols.Target, cols.TargetName, cols.Decimal);
            return (v, row.LineNumberFrom, null);
        }
        catch (BadValue e)
        {
            return (null, row.LineNumberFrom, ", " + e.Message);
        }
    }

    /// <summary>What is wrong with one value, without the row: "column 'b': 'abc' is not a number".</summary>
    internal sealed class BadValue(string message) : Exception(message);

    /// <summary>
    /// One number, parsed strictly: a sign, digits, one decimal separator, an exponent — never a thousands
    /// separator, so that 1,5 in a ';'-separated file is an error (with the fix), not fifteen.
    /// </summary>
    internal static double Value(SepReader.Row row, int col, string name, char decimalSeparator)
    {
        var span = row[col].Span.Trim();
        if (span.IsEmpty)
            throw new BadValue($"column '{name}': the value is missing");
        char other = decimalSeparator == '.' ? ',' : '.';
        if (span.Contains(other))
            throw new BadValue(decimalSeparator == '.'
                ? $"column '{name}': '{Clip(span)}' has a comma; numbers are read with a decimal point and no thousands separators (for a decimal comma, as in 1,5, give --decimal ,)"
                : $"column '{name}': '{Clip(span)}' has a point; with --decimal , numbers are written as 1,5, without thousands separators");
        double v;
        const System.Globalization.NumberStyles styles = System.Globalization.NumberStyles.Float;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        bool ok;
        if (decimalSeparator == '.') ok = double.TryParse(span, styles, inv, out v);
        else
        {
            Span<char> buf = span.Length <= 128 ? stackalloc char[span.Length] : new char[span.Length];
            span.CopyTo(buf);
            buf.Replace(',', '.');
            ok = double.TryParse(buf, styles, inv, out v);
        }
        if (!ok) throw new BadValue($"column '{name}': '{Clip(span)}' is not a number");
        if (!double.IsFinite(v))
            throw new BadValue($"column '{name}': '{Clip(span)}' is not a finite number");
        return v;
    }

    private static string Clip(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : s[..37].ToString() + "...";

    /// <summary>A read-only stream that counts the bytes read, for the progress bar.</summary>
    internal sealed class CountingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get; set; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) { int k = inner.Read(buffer, offset, count); Position += k; return k; }
        public override int Read(Span<byte> buffer) { int k = inner.Read(buffer); Position += k; return k; }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
