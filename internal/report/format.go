package report

import (
	"fmt"
	"io"
)

// Formats are the report's renderings, by name: the report command's
// --format and the /report endpoint's ?format= take these.
var Formats = []string{"html", "markdown", "json"}

// ContentType is the HTTP media type of a format.
func ContentType(format string) string {
	switch format {
	case "json":
		return "application/json; charset=utf-8"
	case "markdown":
		return "text/markdown; charset=utf-8"
	default:
		return "text/html; charset=utf-8"
	}
}

// Render writes the report in the named format.
func (r *Report) Render(w io.Writer, format string) error {
	switch format {
	case "html":
		return r.HTML(w)
	case "markdown":
		return r.Markdown(w)
	case "json":
		return r.JSON(w)
	}
	return fmt.Errorf("unknown report format %q (want html, markdown or json)", format)
}
