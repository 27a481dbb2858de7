package textnorm

import "testing"

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"entities", "Caf&eacute; &amp; th&#233;", "Café & thé"},
		{"double escaped", "Tr&amp;egrave;s bon", "Très bon"},
		{"whitespace", "  a\t\u00a0 b  \r\n\r\n c ", "a b\nc"},
		{"nfc", "cafe\u0301", "café"},
		{"invalid utf8", "bad \xff byte", "bad \uFFFD byte"},
		{"controls", "a\x00b\x1fc", "a b c"},
		{"nel", "a\u0085b", "a\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "no markup &amp; more", "no markup & more"},
		{"br", "line one<br>line two<br/>three", "line one\nline two\nthree"},
		{"paragraphs", "<p>One.</p>\n<p>Two.</p>", "One.\nTwo."},
		{"inline", "<b>gr</b>eat <i>food</i>", "great food"},
		{"script", "a<script>alert(1)</script>b", "ab"},
		{"escaped text stays text", "<p>5 &lt; 6 &amp;amp;</p>", "5 < 6 &amp;"},
		{"source line breaks are spaces", "<p>one\ntwo</p>three", "one two\nthree"},
		{"stray close", "<div><p>x</p></p> y</div>", "x\ny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTML(tt.in); got != tt.want {
				t.Errorf("HTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	if got := Line("a\nb  c"); got != "a b c" {
		t.Errorf("Line = %q", got)
	}
}
