"""Hand-written texts shaped like memorized Pythia sequences (~64 tokens), one kind of pattern or code each.

Positives carry realistic lead-in and trailing text, which the reference detector's exact-period test could not
tolerate; negatives are prose, boilerplate and the kinds of code that people label code, not templating
(../shared/design/METRICS.md, 'Templating'): LaTeX preambles, import/using/#include blocks, stack traces, lines
of assignments that differ in one identifier, lines that merely share a prefix.
"""

INCREMENTING = [
    'scales of patient beliefs.[11](#osp4364-bib-0011){ref-type="ref"}, [12](#osp4364-bib-0012){ref-type="ref"}, [13](#osp4364-bib-0013){ref-type="ref"}, [14](#osp4364-bib-0014)',
    "<a name='L51'></a><a href='#L51'>51</a>\n<a name='L52'></a><a href='#L52'>52</a>\n<a name='L53'></a><a href='#L53'>53</a>\n<a name='L",
    "Coppi, Serse (i), (ii), (iii), (iv), (v), (vi), (vii), (viii), (ix), (x), (xi), (xii), (xiii), (xiv), (xv",
    "Table 2\n| F1 | F2 | F3 | F4 | F5 | F6 |\n|----|----|----|----|----|----|",
    "Contents\n33. Chapter XXVIII\n34. Chapter XXIX\n35. Chapter XXX\n36. Chapter XXXI\n37. Chapter XXXII\n38. Chapter",
    ".\n 103.\n 104.\n 105.\n 106.\n 107.\n 108.\n 109.\n 110.\n 111.\n 112.\n 113.\n 114.\n 115.\n 116.\n 117.\n 118",
    " $x0 = $x & 0x11111111;\n $x1 = $x & 0x22222222;\n $x2 = $x & 0x44444444;\n $x3 = $x & 0x88888888;\n",
    "The following steps are required:\n1. Open the valve\n2. Check the pressure\n3. Close the lid\n4. Start the pump\n5. Wait ten minutes\n6. Record",
    "Chapter contents\n\n1. Introduction\n2. Background\n3. Methods\n4. Results\n5. Discussion\n6. Conclusion\n\nCopyright",
    "static const int offsets[] = {0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x38};\n/* end",
    "00000000  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00\n00000010  02 00 3e 00 01 00 00 00  c5 48 40 00 00 00 00 00\n00000020  40 00 00 00 00 00 00 00  08 22 00 00 00 00 00 00\n00000030  00 00 00 00 40 00 38 00  09 00 40 00 1e 00 1d 00\n00000040  06 00",
    "Release history: v1.0.1, v1.0.2, v1.0.3, v1.0.4, v1.0.5, v1.0.6, v1.0.7, v1.0.8 and then the",
    "| Rank | Team | Points |\n|---|---|---|\n| 1 | Ajax | 88 |\n| 2 | PSV | 79 |\n| 3 | Feyenoord | 71 |\n| 4 | AZ | 60 |\n| 5 | Twente",
    "Dates: 2013-01-01, 2013-01-02, 2013-01-03, 2013-01-04, 2013-01-05, 2013-01-06, 2013-01-07 (all",
    "  a[0] = x0;\n  a[1] = x1;\n  a[2] = x2;\n  a[3] = x3;\n  a[4] = x4;\n  a[5] = x5;\n  a[6] = x6;\n}",
    "id=1001&id=1002&id=1003&id=1004&id=1005&id=1006&id=1007&id=1008",
    "Page 1 of 9 Page 2 of 9 Page 3 of 9 Page 4 of 9 Page 5 of 9 Page 6",
    '10 PRINT "HELLO"\n20 GOTO 10\n30 END\n40 REM\n50 REM next\n60 REM done\n70',
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19",
]

REPEATING = [
    "Comments\n\n------------------------------------------------------------------------\n\nPosted",
    "<br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br>",
    "Click here<br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br><br> to go on",
    "Results\n\n= = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = =\n\nThe",
    "hahahahahahahahahahahahahahahahahahahahahahahahaha lol",
    "0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff",
    "Thank you!\nThank you!\nThank you!\nThank you!\nThank you!\nThank you!\n",
    "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;Home",
    "****************************************************************\n * Project",
    "The the the the the the the the the the the the the the the the the the",
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
    "Makeup Addiction\n\nadd your own caption\n\nadd your own caption\n\nadd your own caption\n\nadd your own caption\n\nadd your own",
    '<span class="cline-any cline-neutral">&nbsp;</span>\n<span class="cline-any cline-neutral">&nbsp;</span>\n<span class="cline-any cline-neutral">&nbsp;</span>\n<span class="cline-any cline-neutral">&nbsp;</span>\n<span class=',
    "| | | | | | | | | | | | | | | | | | | | | | | | | | | | | | | | | | | | |",
    # the same unit over and over while its numbers take a few values: bit matrices, bit strings, lookup tables
    "Adjacency:\n0 1 0 1\n1 0 1 0\n0 1 0 1\n1 0 1 0\n0 1 1 0\n1 0 0 1\n0 1 0 1\n1 1 0 0\n0 0 1 1\n1 0 1 0\nwhere",
    "state: 1 0 0 1 0 0 1 1 0 1 0 0 1 0 1 1 0 0 1 0 1 0 0 1 1 0 1 0 end",
    "widths[] = {\n 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,\n 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n 9, 9",
    "weights: 0.5 0.25 0.5 0.25 0.5 0.25 0.25 0.5 0.5 0.25 0.5 0.25 0.5 0.5",
]

NEGATIVE = [
    "\\documentclass[12pt]{minimal}\n\\usepackage{amsmath}\n\\usepackage{wasysym}\n\\usepackage{amsfonts}\n\\usepackage{amssymb}\n\\usepackage{amsbsy}\n\\usepackage{mathrsfs}\n\\usepackage{upgreek}\n\\setlength",
    "import java.util.List;\nimport java.util.Map;\nimport java.util.Set;\nimport java.util.HashMap;\nimport java.util.HashSet;\n",
    "$. Thus, $\\documentclass[12pt]{minimal}\n \\usepackage{amsmath}\n \\usepackage{wasysym}\n \\usepackage{amsfonts}\n \\usepackage{amssymb}\n \\usepackage{amsbsy}",
    "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing System.Text;\nusing System.Threading.Tasks;\n\nnamespace",
    '#include <cassert>\n#include <utility>\n#include <stdexcept>\n#include <algorithm>\n#include <vector>\n#include "util/log.h"\n',
    "\tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:196)\n\tat org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:79)\n\tat org.apache.catalina.core.StandardHostValve.invoke(StandardHostValve.java:143)\n\tat",
    "AMDEP_FALSE = @AMDEP_FALSE@\nAMDEP_TRUE = @AMDEP_TRUE@\nAMTAR = @AMTAR@\nAM_CFLAGS = @AM_CFLAGS@\nAR = @AR@\nAUTOCONF = @AUTOCONF@\nAUTOHEADER = @AUTOHEADER@",
    ' android:layout_width="match_parent"\n android:layout_height="wrap_content"\n android:layout_marginTop="8dp"\n android:orientation="vertical"',
    "C3 0.0291 (6) 0.0326 (6) 0.0293 (6) 0.0035 (5) 0.0043 (5) 0.0014 (5)\n C4 0.0277 (6) 0.0348 (7) 0.0341 (6) 0.0019 (5) 0.0036 (5) 0.0006 (5)\n C5 0.0302 (7)",
    "\n" * 40,  # blank: its own category ("empty/blank"), not a pattern
    "",
    "The committee met on Tuesday to discuss the budget for next year. Several members raised concerns about the rising cost of maintenance and the lack of funding for new",
    'Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction',
    'def load(path):\n    with open(path) as handle:\n        data = json.load(handle)\n    if not data:\n        raise ValueError("empty")\n    return data\n',
    "In 1998 the company moved to Chicago, and by 2004 it employed 250 people across 3 offices. Revenue grew 12% in 2007.",
    "Copyright (c) 2008, 2009, 2010, 2011 The Regents of the University of California. All rights reserved. Redistribution and use in source and binary forms, with or without modification, are permitted",
    "for (int i = 0; i < n; i++) {\n    sum += values[i] * weights[i];\n}\nreturn sum / n;",
    "She said that she would come back tomorrow, but nobody believed her. The house was quiet, and the garden had grown wild since the summer.",
    "Patients (n = 42) received 5 mg/kg of the drug twice daily for 14 days; 7 discontinued due to adverse events.",
    '<div class="header">\n  <a href="/">Home</a>\n  <span>News</span>\n</div>\n<p>Welcome to our site.</p>',
    "Abstract. We study the asymptotic behaviour of solutions to the heat equation on manifolds with conical singularities and prove sharp estimates.",
    "SELECT name, age FROM users WHERE age > 21 ORDER BY name LIMIT 10;",
    "x = np.linspace(0, 1, 100)\ny = np.sin(2 * np.pi * x)\nplt.plot(x, y)\nplt.show()",
    "static const uint8_t key[] = {0x3a, 0x91, 0x0c, 0xe4, 0x57, 0xb2, 0x68, 0x1f, 0xd3, 0x7e, 0x45, 0xa0, 0x2b, 0x96};",
    "The scores were 3, 17, 9, 22, 5, 14 and 11, which shows no clear trend across the six sessions of the trial.",
    "Posted by John at 10:32 PM on March 3, 2011. Filed under News. 4 comments so far, add yours below.",
    "    public void setName(String name) {\n        this.name = name;\n    }\n\n    public String getName() {\n        return name;\n    }",
    "WASHINGTON (Reuters) - The Senate on Thursday passed a bill that would extend unemployment benefits for another six months.",
    "Q: How do I reset my password?\nA: Go to settings and click reset. You will receive an email within a few minutes.",
    "The quick brown fox jumps over the lazy dog, and the dog, startled, runs to the barn where the other animals sleep.",
    "In the first round one player scored two goals, one more came from three passes, and the team won four to one.",
]
