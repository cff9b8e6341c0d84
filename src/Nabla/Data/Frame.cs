using System.Globalization;
using nietras.SeparatedValues;

namespace Nabla.Data;

/// <summary>One column of a <see cref="Frame"/>: numbers, or text (categorical, boolean).</summary>
public abstract class FrameColumn(string name)
{
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
    public double[] Values { get; } = values;

    /// <summary>Every value was written as an integer (no point, no exponent): its levels print as 3, not 3.0.</summary>
    public bool Integral { get; } = integral;

    public override int Length => Values.Length;
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
    public int[] Codes { get; } = codes;

    /// <summary>The distinct values, in the order first seen.</summary>
    public string[] Levels { get; } = levels;

    public bool IsBoolean { get; } = boolean;

    /// <summary>Numbers and text in one column: the first text value and its row (1-based), when some values were numbers.</summary>
    public (int Row, string Value)? MixedWithNumbers { get; init; }

    /// <summary>Every value reads as a number with the other decimal separator (1,5 read with '.'): one value, for the message.</summary>
    public string? OtherDecimal { get; init; }

    public override int Length => Codes.Length;
    public override bool IsMissing(int i) => Codes[i] < 0;
}

/// <summary>
/// Data as a statistician holds it: named columns of numbers or text, with missing values marked, read from a CSV
/// (or Parquet) file; each row keeps its line in the file for messages. What models read through formulas.
/// </summary>
public sealed class Frame
{
    private readonly Dictionary<string, FrameColumn> _byName;

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

    public IReadOnlyList<FrameColumn> Columns { get; }
    public int Rows { get; }

    /// <summary>The line in the file of each row (null when not read from text).</summary>
    public int[]? Lines { get; }

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
        foreach (var (fields, line, error) in reader.ParallelEnumerate(r => ParseRow(r, width, missing, dec)))
        {
            if (fields is null && error is null) continue; // a blank line
            row++;
            if (error is not null) throw new CsvDataException($"row {row} (line {line}){error}");
            for (int j = 0; j < width; j++) builders[j].Add(fields![j], row);
            lines.Add(line);
        }
        if (row == 0) throw new CsvDataException($"the file '{name}' has a header but no data rows");
        return new Frame(name, builders.Select(b => b.Build(dec)).ToArray(), [.. lines]);
    }

    /// <summary>A field: a number (Text null), missing (both null/NaN, Missing set), or text.</summary>
    private readonly record struct Field(double Number, string? Text, bool Missing, bool Integral);

    private static (Field[]? Fields, int Line, string? Error) ParseRow(nietras.SeparatedValues.SepReader.Row r, int width, HashSet<string> missing, char dec)
    {
        if (r.ColCount == 1 && width > 1 && r.Span.IsWhiteSpace()) return (null, r.LineNumberFrom, null);
        if (r.ColCount != width) return (null, r.LineNumberFrom, $" has {r.ColCount} fields, but the header has {width}");
        var fields = new Field[width];
        var lookup = missing.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int j = 0; j < width; j++)
        {
            var span = r[j].Span.Trim();
            if (span.IsEmpty || lookup.Contains(span)) { fields[j] = new Field(double.NaN, null, true, true); continue; }
            if (TryNumber(span, dec, out double v, out bool integral)) fields[j] = new Field(v, null, false, integral);
            else fields[j] = new Field(double.NaN, span.ToString(), false, false);
        }
        return (fields, r.LineNumberFrom, null);
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
        private readonly List<int> _codes = []; // -1 missing, -2 a number, else a level
        private readonly Dictionary<string, int> _levelIndex = new(StringComparer.Ordinal);
        private readonly List<string> _levels = [];
        private bool _integral = true;
        private int _numberCount, _textCount, _firstTextRow;

        public void Add(Field f, int row)
        {
            if (f.Missing) { _numbers.Add(double.NaN); _codes.Add(-1); return; }
            if (f.Text is null)
            {
                _numbers.Add(f.Number);
                _codes.Add(-2);
                _integral &= f.Integral;
                _numberCount++;
                return;
            }
            _numbers.Add(double.NaN);
            if (!_levelIndex.TryGetValue(f.Text, out int code))
            {
                code = _levels.Count;
                _levelIndex[f.Text] = code;
                _levels.Add(f.Text);
            }
            _codes.Add(code);
            if (_textCount++ == 0) _firstTextRow = row;
        }

        public FrameColumn Build(char dec)
        {
            if (_textCount == 0) return new NumberColumn(name, [.. _numbers], _integral);
            bool boolean = _numberCount == 0 && _levels.All(IsBool);
            if (boolean)
            {
                // pandas: True/true/TRUE and False/false/FALSE, as the levels False < True
                var codes = new int[_codes.Count];
                for (int i = 0; i < codes.Length; i++)
                    codes[i] = _codes[i] < 0 ? -1 : _levels[_codes[i]].Equals("true", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
                return new TextColumn(name, codes, ["False", "True"], true);
            }
            var all = new int[_codes.Count];
            var levels = new List<string>(_levels);
            var index = new Dictionary<string, int>(_levelIndex, StringComparer.Ordinal);
            for (int i = 0; i < all.Length; i++)
            {
                int c = _codes[i];
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
