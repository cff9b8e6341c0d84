using System.Globalization;
using nietras.SeparatedValues;

namespace Nabla.Data;

/// <summary>One column of a <see cref="Frame"/>: numbers, or text (categorical, boolean).</summary>
public abstract class FrameColumn(string name)
{
    /// <summary>The column's name, as in the file's header.</summary>
    public string Name { get; } = name;

    /// <summary>The number of rows.</summary>
    public abstract int Length { get; }

    /// <summary>Whether row <paramref name="i"/> holds no value (one of the missing-value tokens, or an empty field).</summary>
    public abstract bool IsMissing(int i);

    /// <summary>Rows without a value.</summary>
    public int MissingCount
    {
        get
        {
            int k = 0;
            for (int i = 0; i < Length; i++) if (IsMissing(i)) k++;
            return k;
        }
    }
}

/// <summary>A column of numbers; a missing value is NaN.</summary>
public sealed class NumberColumn(string name, double[] values, bool integral) : FrameColumn(name)
{
    /// <summary>The values, one per row; NaN where missing.</summary>
    public double[] Values { get; } = values;

    /// <summary>Every value was written as an integer (no point, no exponent): its levels print as 3, not 3.0.</summary>
    public bool Integral { get; } = integral;

    /// <summary>The number of values.</summary>
    public override int Length => Values.Length;
    /// <summary>Whether the value is NaN.</summary>
    public override bool IsMissing(int i) => double.IsNaN(Values[i]);

    /// <summary>A value as a level's name: 3 for an integer column, else Python's repr of the double (3.0, 0.1, 1e-05).</summary>
    public string LevelName(double v) => Integral && Math.Abs(v) < 1e15 ? ((long)v).ToString(CultureInfo.InvariantCulture) : PythonRepr(v);

    internal static string PythonRepr(double v)
    {
        if (v == Math.Floor(v) && Math.Abs(v) < 1e16) return v.ToString("F1", CultureInfo.InvariantCulture);
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        if (e < 0) return r;
        // .NET writes 1E-05 as "1E-05"; Python as "1e-05"
        string mant = r[..e], exp = r[(e + 1)..];
        int sign = exp.StartsWith('-') ? -1 : 1;
        exp = exp.TrimStart('+', '-').TrimStart('0');
        if (exp.Length < 2) exp = exp.PadLeft(2, '0');
        return $"{mant}e{(sign < 0 ? "-" : "+")}{exp}";
    }
}

/// <summary>
/// A column of text, stored as codes into its levels (-1 for a missing value). A boolean column (every value
/// True or False) has the levels False and True, as pandas reads it.
/// </summary>
public sealed class TextColumn(string name, int[] codes, string[] levels, bool boolean) : FrameColumn(name)
{
    /// <summary>Each row's index into <see cref="Levels"/>; -1 where missing.</summary>
    public int[] Codes { get; } = codes;

    /// <summary>The distinct values, in the order first seen.</summary>
    public string[] Levels { get; } = levels;

    /// <summary>Whether every value is True or False (the levels are then False and True).</summary>
    public bool IsBoolean { get; } = boolean;

    /// <summary>Numbers and text in one column: the first text value and its row (1-based), when some values were numbers.</summary>
    public (int Row, string Value)? MixedWithNumbers { get; init; }

    /// <summary>Every value reads as a number with the other decimal separator (1,5 read with '.'): one value, for the message.</summary>
    public string? OtherDecimal { get; init; }

    /// <summary>The number of rows.</summary>
    public override int Length => Codes.Length;
    /// <summary>Whether the row's code is -1.</summary>
    public override bool IsMissing(int i) => Codes[i] < 0;
}

/// <summary>
/// Data as a statistician holds it: named columns of numbers or text, with missing values marked, read from a CSV
/// (or Parquet) file; each row keeps its line in the file for messages. What models read through formulas.
/// </summary>
public sealed class Frame
{
    private readonly Dictionary<string, FrameColumn> _byName;

    /// <summary>A frame of the given columns, all of one length and with distinct names, read from <paramref name="source"/> (with each row's line, if known).</summary>
    public Frame(string source, IReadOnlyList<FrameColumn> columns, int[]? lines = null)
    {
        Source = source;
        Columns = columns;
        Rows = columns.Count == 0 ? 0 : columns[0].Length;
        if (columns.Any(c => c.Length != Rows)) throw new ArgumentException("the columns of a frame must have the same length");
        _byName = new Dictionary<string, FrameColumn>(StringComparer.Ordinal);
        foreach (var c in columns)
            if (!_byName.TryAdd(c.Name, c)) throw new CsvDataException($"the column name '{c.Name}' appears twice in the header of '{source}'");
        Lines = lines;
    }

    /// <summary>The file (or "standard input") the frame was read from, for messages.</summary>
    public string Source { get; }

    /// <summary>The columns, in the file's order.</summary>
    public IReadOnlyList<FrameColumn> Columns { get; }
    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The line in the file of each row (null when not read from text).</summary>
    public int[]? Lines { get; }

    /// <summary>The column of that name, or null.</summary>
    public FrameColumn? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The column, or an error that lists the columns there are.</summary>
    public FrameColumn this[string name] => Find(name)
        ?? throw new CsvDataException($"there is no column '{name}' in '{Source}'; its columns are: {string.Join(", ", Columns.Select(c => c.Name))}");

    /// <summary>"row 12 (line 13)": where a row is, for messages.</summary>
    public string Where(int row) => Lines is null ? $"row {row + 1}" : $"row {row + 1} (line {Lines[row]})";
}

/// <summary>What to do with a row that has a missing value in a column the model uses.</summary>
public enum MissingPolicy
{
    /// <summary>Leave the row out, and say how many were (statsmodels' and R's default).</summary>
    Drop,
    /// <summary>Stop at the first such row, naming the row and the column.</summary>
    Error,
}

/// <summary>Options of <see cref="FrameReader"/>: the decimal separator and what counts as missing.</summary>
public sealed record FrameOptions
{
    /// <summary>The tokens read as a missing value (an empty field always is): NA, NaN and null by default, as pandas and R read them.</summary>
    public IReadOnlyList<string> MissingTokens { get; init; } = DefaultMissing;

    /// <summary>NA, NaN and null.</summary>
    public static readonly IReadOnlyList<string> DefaultMissing = ["NA", "NaN", "null"];

    /// <summary>'.' (numbers as 1.5) or ',' (as 1,5).</summary>
    public char Decimal { get; init; } = '.';

    /// <summary>What a model does with a row missing a value it uses (carried here for the command line's one set of data options).</summary>
    public MissingPolicy Missing { get; init; } = MissingPolicy.Drop;
}

/// <summary>Reads a CSV (or Parquet, by the extension; '-' is standard input) into a <see cref="Frame"/>, typing each column from its values.</summary>
public static class FrameReader
{
    /// <summary>Whether the path names a Parquet file (.parquet, .parq).</summary>
    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".parq", StringComparison.OrdinalIgnoreCase);

    /// <summary>The frame in the CSV or Parquet file at <paramref name="path"/> ('-': a CSV on standard input).</summary>
    public static Frame Read(string path, FrameOptions? options = null)
    {
        options ??= new FrameOptions();
        if (path != "-" && IsParquet(path))
            return ParquetFrames.Read(path, options);
        if (path == "-") return ReadCsv(Console.OpenStandardInput(), "standard input", options);
        using var stream = CsvSource.OpenFile(path);
        return ReadCsv(stream, path, options);
    }

    /// <summary>Reads a CSV with a header row from <paramref name="stream"/>; <paramref name="name"/> is for messages.</summary>
    public static Frame ReadCsv(Stream stream, string name, FrameOptions? options = null)
    {
        options ??= new FrameOptions();
        using var reader = CsvSource.Open(stream, name, options.Decimal);
        var header = reader.Header.ColNames;
        int width = header.Count;
        var missing = new HashSet<string>(options.MissingTokens, StringComparer.Ordinal);
        var builders = new ColumnBuilder[width];
        for (int j = 0; j < width; j++) builders[j] = new ColumnBuilder(header[j].Trim());
        var lines = new List<int>();
        char dec = options.Decimal;
        int row = 0;
        var lookup = missing.GetAlternateLookup<ReadOnlySpan<char>>();
        // one pass, no allocation per row: each field parsed straight into its column (numbers by Sep's fast parser
        // after a strict check; text interned by span)
        // a missing-value token that looks like a number (-999) must be seen before the number is
        bool fastNumbers = dec == '.' && !options.MissingTokens.Any(t => Plain(t, out _));
        long length = stream.CanSeek || stream is CsvSource.CountingStream ? SafeLength(stream) : 0, bytes = 0;
        foreach (var r in reader)
        {
            if (r.ColCount == 1 && width > 1 && r.Span.IsWhiteSpace()) continue; // a blank line
            row++;
            if (row <= 1000) bytes += r.Span.Length + 1;
            if (row == 1000 && length > 0)
            {
                // size the columns once from the first rows (growing by doubling would touch every page twice)
                long estimate = Math.Min(int.MaxValue / 2, (long)(length / (double)bytes * 1000 * 1.02) + 16);
                foreach (var b in builders) b.Reserve((int)estimate);
                lines.Capacity = (int)estimate;
            }
            if (r.ColCount != width) throw new CsvDataException($"row {row} (line {r.LineNumberFrom}) has {r.ColCount} fields, but the header has {width}");
            for (int j = 0; j < width; j++)
            {
                var col = r[j];
                var raw = col.Span;
                var b = builders[j];
                // the common case: a plain number, parsed by Sep's correctly rounded fast parser
                if (fastNumbers && Plain(raw, out bool plainIntegral) && col.TryParse<double>() is { } fast && double.IsFinite(fast)) { b.AddNumber(fast, plainIntegral); continue; }
                var span = raw.Trim();
                if (span.IsEmpty || lookup.Contains(span)) b.AddMissing();
                else if (TryNumber(span, dec, out double v, out bool integral)) b.AddNumber(v, integral);
                else b.AddText(span, row);
            }
            lines.Add(r.LineNumberFrom);
        }
        if (row == 0) throw new CsvDataException($"the file '{name}' has a header but no data rows");
        return new Frame(name, builders.Select(b => b.Build(dec)).ToArray(), [.. lines]);
    }

    private static long SafeLength(Stream s)
    {
        try { return s.Length; } catch (NotSupportedException) { return 0; }
    }

    /// <summary>Only digits, one leading sign, '.', and an exponent: what the fast path parses (anything else takes the careful one).</summary>
    private static bool Plain(ReadOnlySpan<char> span, out bool integral)
    {
        integral = true;
        if (span.IsEmpty) return false;
        char c0 = span[0];
        if (!(char.IsAsciiDigit(c0) || c0 is '-' or '.')) return false;
        foreach (char c in span)
        {
            if ((uint)(c - '0') <= 9) continue;
            if (c is '.' or 'e' or 'E') { integral = false; continue; }
            if (c is not ('-' or '+')) return false;
        }
        return true;
    }

    /// <summary>A finite number, strictly: sign, digits, one decimal separator, exponent; no thousands separators.</summary>
    internal static bool TryNumber(ReadOnlySpan<char> span, char dec, out double v, out bool integral)
    {
        integral = true;
        v = 0;
        char c0 = span[0];
        if (!(char.IsAsciiDigit(c0) || c0 is '-' or '+' or '.' or ',')) return false; // fast path for text
        foreach (char c in span)
            if (c == dec || c is 'e' or 'E') integral = false;
            else if (!(char.IsAsciiDigit(c) || c is '-' or '+')) return false;
        bool ok;
        const NumberStyles styles = NumberStyles.Float;
        if (dec == '.') ok = double.TryParse(span, styles, CultureInfo.InvariantCulture, out v);
        else
        {
            Span<char> buf = span.Length <= 128 ? stackalloc char[span.Length] : new char[span.Length];
            span.CopyTo(buf);
            buf.Replace(',', '.');
            ok = double.TryParse(buf, styles, CultureInfo.InvariantCulture, out v);
        }
        return ok && double.IsFinite(v);
    }

    /// <summary>Collects one column's fields in file order and decides its type at the end.</summary>
    private sealed class ColumnBuilder(string name)
    {
        private readonly List<double> _numbers = [];
        private List<int>? _codes; // once text is seen: -1 missing, -2 a number, else a level (before that: NaN in _numbers is missing)
        private readonly Dictionary<string, int> _levelIndex = new(StringComparer.Ordinal);
        private readonly List<string> _levels = [];
        private bool _integral = true;
        private int _numberCount, _textCount, _firstTextRow;

        public void Reserve(int rows) { if (_numbers.Capacity < rows) _numbers.Capacity = rows; }

        public void AddMissing() { _numbers.Add(double.NaN); _codes?.Add(-1); }

        public void AddNumber(double v, bool integral)
        {
            _numbers.Add(v);
            _codes?.Add(-2);
            _integral &= integral;
            _numberCount++;
        }

        public void AddText(ReadOnlySpan<char> text, int row)
        {
            if (_codes is null)
            {
                _codes = new List<int>(Math.Max(_numbers.Capacity, 16));
                foreach (double v in _numbers) _codes.Add(double.IsNaN(v) ? -1 : -2);
            }
            _numbers.Add(double.NaN);
            var lookup = _levelIndex.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(text, out int code))
            {
                code = _levels.Count;
                string s = text.ToString();
                _levelIndex[s] = code;
                _levels.Add(s);
            }
            _codes.Add(code);
            if (_textCount++ == 0) _firstTextRow = row;
        }

        public FrameColumn Build(char dec)
        {
            if (_textCount == 0) return new NumberColumn(name, [.. _numbers], _integral);
            var codesSeen = _codes!;
            bool boolean = _numberCount == 0 && _levels.All(IsBool);
            if (boolean)
            {
                // pandas: True/true/TRUE and False/false/FALSE, as the levels False < True
                var codes = new int[codesSeen.Count];
                for (int i = 0; i < codes.Length; i++)
                    codes[i] = codesSeen[i] < 0 ? -1 : _levels[codesSeen[i]].Equals("true", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
                return new TextColumn(name, codes, ["False", "True"], true);
            }
            var all = new int[codesSeen.Count];
            var levels = new List<string>(_levels);
            var index = new Dictionary<string, int>(_levelIndex, StringComparer.Ordinal);
            for (int i = 0; i < all.Length; i++)
            {
                int c = codesSeen[i];
                if (c == -2)
                {
                    // a number in a text column: its shortest round-trip text
                    string s = _numbers[i].ToString("R", CultureInfo.InvariantCulture);
                    if (!index.TryGetValue(s, out c)) { c = levels.Count; index[s] = c; levels.Add(s); }
                }
                all[i] = c;
            }
            char other = dec == '.' ? ',' : '.';
            string? otherDecimal = _numberCount == 0 && _levels.All(l => TryNumber(l.Replace(other, dec), dec, out _, out _) && l.Contains(other)) ? _levels[0] : null;
            return new TextColumn(name, all, [.. levels], false)
            {
                MixedWithNumbers = _numberCount > 0 ? (_firstTextRow, _levels[0]) : null,
                OtherDecimal = otherDecimal,
            };
        }

        private static bool IsBool(string s) => s is "True" or "False" or "true" or "false" or "TRUE" or "FALSE";
    }
}
