namespace Nabla.Diagnostics;

/// <summary>A half-open range of character offsets [Start, End) into the source text.</summary>
public readonly record struct TextSpan(int Start, int End)
{
    /// <summary>The number of characters covered.</summary>
    public int Length => End - Start;

    /// <summary>The smallest span covering both <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static TextSpan Cover(TextSpan a, TextSpan b) => new(Math.Min(a.Start, b.Start), Math.Max(a.End, b.End));
}
