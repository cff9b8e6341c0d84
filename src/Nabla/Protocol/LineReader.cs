namespace Nabla.Protocol;

/// <summary>
/// Reads JSON Lines: a line ends at '\n' only (a '\r' inside is JSON white space; a trailing "\r\n" is one end),
/// and no line is held longer than the limit: past it, the rest of the line is skipped as it is read and the
/// line is reported by its length, so a gigabyte line costs no memory and the next request is still answered.
/// </summary>
public sealed class LineReader(TextReader reader, int maxLength)
{
    private readonly char[] _buffer = new char[1 << 16];
    private int _pos, _len;

    /// <summary>The next line, or null at the end; a line over the limit comes back as (null, its length).</summary>
    public (string? Line, long TooLong)? Next()
    {
        var sb = new System.Text.StringBuilder();
        long length = 0;
        bool tooLong = false, any = false;
        while (true)
        {
            if (_pos == _len)
            {
                _len = reader.Read(_buffer, 0, _buffer.Length);
                _pos = 0;
                if (_len <= 0)
                {
                    _len = 0;
                    if (!any) return null;
                    return Finish(sb, length, tooLong);
                }
            }
            any = true;
            int nl = Array.IndexOf(_buffer, '\n', _pos, _len - _pos);
            int end = nl < 0 ? _len : nl;
            int n = end - _pos;
            length += n;
            if (!tooLong)
            {
                if (length > maxLength + 1L) // + 1: a trailing '\r' does not count
                {
                    tooLong = true;
                    sb.Clear();
                }
                else sb.Append(_buffer, _pos, n);
            }
            _pos = nl < 0 ? _len : nl + 1;
            if (nl >= 0) return Finish(sb, length, tooLong);
        }
    }

    private (string? Line, long TooLong) Finish(System.Text.StringBuilder sb, long length, bool tooLong)
    {
        if (tooLong) return (null, length);
        if (sb.Length > 0 && sb[^1] == '\r') sb.Length--;
        if (sb.Length > maxLength) return (null, sb.Length);
        return (sb.ToString(), 0);
    }
}
