namespace Wharf.Models.Templates;

internal enum SegmentKind
{
    Text,

    /// <summary><c>{{ … }}</c></summary>
    Output,

    /// <summary><c>{% … %}</c></summary>
    Statement,
}

/// <summary>
/// A piece of a template: literal text, or the inside of a tag. <see cref="Offset"/> is where
/// <see cref="Content"/> starts in the file, so expression errors point at the right column.
/// </summary>
internal sealed record TemplateSegment(SegmentKind Kind, string Content, int Offset);
