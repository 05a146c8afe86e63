namespace Wharf; internal static class Placeholder { }
