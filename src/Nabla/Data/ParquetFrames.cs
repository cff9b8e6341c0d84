using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace Nabla.Data;

/// <summary>Parquet in and out (Parquet.Net): numbers and booleans and text become a frame's columns; nulls are missing values.</summary>
public static class ParquetFrames
{
    /// <summary>The frame in the Parquet file at <paramref name="path"/>.</summary>
    public static Frame Read(string path, FrameOptions options)
    {
        if (Directory.Exists(path)) throw new CsvDataException($"'{path}' is a folder, not a Parquet file");
        if (!File.Exists(path)) throw new CsvDataException($"the file '{path}' does not exist");
        try
        {
            return ReadAsync(path, options).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not CsvDataException and not OutOfMemoryException)
        {
            throw new CsvDataException($"the file '{path}' cannot be read as Parquet: {e.Message}");
        }
    }

    private static async Task<Frame> ReadAsync(string path, FrameOptions options)
    {
        using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        if (fields.Length == 0) throw new CsvDataException($"the file '{path}' has no columns");
        foreach (var f in fields)
            if (f.IsArray || f.MaxRepetitionLevel > 0) throw new CsvDataException($"the Parquet column '{f.Name}' holds lists; Nabla reads flat columns of numbers, booleans or text");
        long total = 0;
        for (int g = 0; g < reader.RowGroupCount; g++) { using var rg = reader.OpenRowGroupReader(g); total += rg.RowCount; }
        if (total == 0) throw new CsvDataException($"the file '{path}' has no rows");
        if (total > int.MaxValue) throw new CsvDataException($"the file '{path}' has {total:N0} rows, more than a frame holds ({int.MaxValue:N0})");
        int n = (int)total;
        var columns = new List<FrameColumn>();
        foreach (var f in fields)
        {
            var t = Nullable.GetUnderlyingType(f.ClrType) ?? f.ClrType;
            if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) columns.Add(await Text(reader, f, n));
            else if (t == typeof(bool)) columns.Add(await Booleans(reader, f, n));
            else if (t == typeof(double)) columns.Add(await Numbers<double>(reader, f, n, false));
            else if (t == typeof(float)) columns.Add(await Numbers<float>(reader, f, n, false));
            else if (t == typeof(long)) columns.Add(await Numbers<long>(reader, f, n, true));
            else if (t == typeof(int)) columns.Add(await Numbers<int>(reader, f, n, true));
            else if (t == typeof(short)) columns.Add(await Numbers<short>(reader, f, n, true));
            else if (t == typeof(sbyte)) columns.Add(await Numbers<sbyte>(reader, f, n, true));
            else if (t == typeof(byte)) columns.Add(await Numbers<byte>(reader, f, n, true));
            else if (t == typeof(ushort)) columns.Add(await Numbers<ushort>(reader, f, n, true));
            else if (t == typeof(uint)) columns.Add(await Numbers<uint>(reader, f, n, true));
            else if (t == typeof(ulong)) columns.Add(await Numbers<ulong>(reader, f, n, true));
            else if (t == typeof(decimal)) columns.Add(await Numbers<decimal>(reader, f, n, false));
            else throw new CsvDataException($"the Parquet column '{f.Name}' holds {t.Name} values; Nabla reads numbers, booleans and text (convert it, or leave it out of the file)");
        }
        return new Frame(path, columns);
    }

    private static async Task<NumberColumn> Numbers<T>(ParquetReader reader, DataField f, int n, bool integral) where T : struct, INumberBase<T>
    {
        var values = new double[n];
        int at = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int k = (int)rg.RowCount;
            if (f.IsNullable)
            {
                var buf = new T?[k];
                await rg.ReadAsync(f, buf.AsMemory());
                for (int i = 0; i < k; i++) values[at + i] = buf[i] is { } v ? double.CreateChecked(v) : double.NaN;
            }
            else
            {
                var buf = new T[k];
                await rg.ReadAsync(f, buf.AsMemory());
                for (int i = 0; i < k; i++) values[at + i] = double.CreateChecked(buf[i]);
            }
            at += k;
        }
        return new NumberColumn(f.Name, values, integral);
    }

    private static async Task<TextColumn> Booleans(ParquetReader reader, DataField f, int n)
    {
        var codes = new int[n];
        int at = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int k = (int)rg.RowCount;
            var buf = new bool?[k];
            if (f.IsNullable) await rg.ReadAsync(f, buf.AsMemory());
            else
            {
                var plain = new bool[k];
                await rg.ReadAsync(f, plain.AsMemory());
                for (int i = 0; i < k; i++) buf[i] = plain[i];
            }
            for (int i = 0; i < k; i++) codes[at + i] = buf[i] is { } b ? (b ? 1 : 0) : -1;
            at += k;
        }
        return new TextColumn(f.Name, codes, ["False", "True"], true);
    }

    private static async Task<TextColumn> Text(ParquetReader reader, DataField f, int n)
    {
        var codes = new int[n];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var levels = new List<string>();
        int at = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int k = (int)rg.RowCount;
            var buf = new string?[k];
            await rg.ReadAsync(f, buf.AsMemory());
            for (int i = 0; i < k; i++)
            {
                var s = buf[i];
                if (s is null) { codes[at + i] = -1; continue; }
                if (!index.TryGetValue(s, out int c)) { c = levels.Count; index[s] = c; levels.Add(s); }
                codes[at + i] = c;
            }
            at += k;
        }
        return new TextColumn(f.Name, codes, [.. levels], false);
    }

    /// <summary>Writes the frame's columns and <paramref name="extra"/> (name, values with NaN as null) as one Parquet row group.</summary>
    public static void Write(Frame frame, IReadOnlyList<(string Name, double[] Values)> extra, Stream output) =>
        WriteAsync(frame, extra, output).GetAwaiter().GetResult();

    private static async Task WriteAsync(Frame frame, IReadOnlyList<(string Name, double[] Values)> extra, Stream output)
    {
        var fields = new List<DataField>();
        foreach (var c in frame.Columns)
            fields.Add(c switch
            {
                NumberColumn => new DataField<double?>(c.Name),
                TextColumn { IsBoolean: true } => new DataField<bool?>(c.Name),
                _ => new DataField<string>(c.Name),
            });
        foreach (var (name, _) in extra) fields.Add(new DataField<double?>(name));
        var schema = new ParquetSchema(fields.ToArray<Field>());
        await using var writer = await ParquetWriter.CreateAsync(schema, output);
        using var rg = writer.CreateRowGroup();
        int j = 0;
        foreach (var c in frame.Columns)
        {
            var f = fields[j++];
            switch (c)
            {
                case NumberColumn num:
                    await rg.WriteAsync<double>(f, num.Values.Select(v => double.IsNaN(v) ? (double?)null : v).ToArray().AsMemory());
                    break;
                case TextColumn { IsBoolean: true } b:
                    await rg.WriteAsync<bool>(f, b.Codes.Select(k => k < 0 ? (bool?)null : k == 1).ToArray().AsMemory());
                    break;
                case TextColumn t:
                    await rg.WriteAsync(f, t.Codes.Select(k => k < 0 ? null! : t.Levels[k]).ToArray());
                    break;
            }
        }
        foreach (var (_, values) in extra)
            await rg.WriteAsync<double>(fields[j++], values.Select(v => double.IsNaN(v) ? (double?)null : v).ToArray().AsMemory());
    }
}
