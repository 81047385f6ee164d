"""The ABI check's rules on a small header (python3 -m unittest, from make abi-check)."""

import os
import subprocess
import sys
import tempfile
import unittest

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_abi.py")

HEADER = """\
/* A header. */
#ifndef PORTCULLIS_H
#define PORTCULLIS_H
#include <stdint.h>
#define PORTCULLIS_VERSION_MAJOR 0
// A handle.
typedef struct portcullis_thing portcullis_thing;
typedef uint32_t portcullis_result;
typedef struct {
    const uint8_t *name;  // the name
    size_t name_len;
} portcullis_field;
#define PORTCULLIS_OK 0
#define PORTCULLIS_RESULT_BAD 1
#ifdef __cplusplus
extern "C" {
#endif
// Makes a thing.
portcullis_result portcullis_thing_new(const uint8_t *text,
                                       size_t text_len,
                                       portcullis_thing **out);
void portcullis_thing_free(portcullis_thing *thing);
#ifdef __cplusplus
}
#endif
#endif
"""


class AbiRules(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.header = os.path.join(self.dir, "portcullis.h")
        self.record = os.path.join(self.dir, "abi.txt")
        self.cargo = os.path.join(self.dir, "Cargo.toml")
        self.write(HEADER, "0.1.0")
        self.run_check(update=True)

    def write(self, header, version):
        with open(self.header, "w", encoding="utf-8") as f:
            f.write(header)
        with open(self.cargo, "w", encoding="utf-8") as f:
            f.write(f'[workspace.package]\nversion = "{version}"\n')

    def run_check(self, update=False):
        env = dict(os.environ, UPDATE_ABI="1" if update else "0")
        return subprocess.run([sys.executable, CHECK, self.header, self.record, self.cargo],
                              env=env, capture_output=True, text=True)

    def outcome(self, header, version):
        self.write(header, version)
        done = self.run_check()
        return done.returncode, done.stdout + done.stderr

    def test_the_record_holds_every_entry_and_no_name(self):
        with open(self.record, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("# version 0.1.0", text)
        self.assertIn("portcullis_thing_new\tportcullis_result portcullis_thing_new("
                      "const uint8_t*,size_t,portcullis_thing**);", text)
        self.assertIn("portcullis_field\ttypedef struct{const uint8_t*name;size_t name_len;}"
                      "portcullis_field;", text)
        self.assertIn("PORTCULLIS_RESULT_BAD\t#define PORTCULLIS_RESULT_BAD 1", text)
        self.assertNotIn("VERSION_MAJOR", text)
        self.assertEqual(self.outcome(HEADER, "0.1.0")[0], 0)

    def test_comments_layout_and_parameter_names_are_no_change(self):
        header = HEADER.replace("const uint8_t *text,\n", "const uint8_t* input, // renamed\n")
        header = header.replace("// Makes a thing.", "/* Makes a\n thing. */")
        self.assertEqual(self.outcome(header, "0.1.0")[0], 0)

    def test_an_addition_needs_a_minor_bump(self):
        header = HEADER.replace("void portcullis_thing_free",
                                "void portcullis_thing_retain(portcullis_thing *t);\n"
                                "void portcullis_thing_free")
        code, text = self.outcome(header, "0.1.0")
        self.assertEqual(code, 1)
        self.assertIn("portcullis_thing_retain: added", text)
        self.assertEqual(self.outcome(header, "0.1.1")[0], 1)
        self.assertEqual(self.outcome(header, "0.2.0")[0], 0)
        header = HEADER.replace("#define PORTCULLIS_RESULT_BAD 1",
                                "#define PORTCULLIS_RESULT_BAD 1\n#define PORTCULLIS_RESULT_WORSE 2")
        self.assertEqual(self.outcome(header, "0.1.0")[0], 1)

    def test_a_removal_or_a_change_needs_a_breaking_bump(self):
        removed = HEADER.replace("void portcullis_thing_free(portcullis_thing *thing);\n", "")
        changed_type = HEADER.replace("size_t text_len,", "uint32_t text_len,")
        changed_struct = HEADER.replace("size_t name_len;", "size_t name_len;\n    int flags;")
        changed_value = HEADER.replace("PORTCULLIS_RESULT_BAD 1", "PORTCULLIS_RESULT_BAD 7")
        for header, name in [(removed, "portcullis_thing_free: removed"),
                             (changed_type, "portcullis_thing_new: changed"),
                             (changed_struct, "portcullis_field: changed"),
                             (changed_value, "PORTCULLIS_RESULT_BAD: changed")]:
            code, text = self.outcome(header, "0.1.5")
            self.assertEqual(code, 1, name)
            self.assertIn(name, text)
            self.assertEqual(self.outcome(header, "0.2.0")[0], 0, name)
        # From 1.0 on, a breaking change needs the major version.
        self.write(HEADER, "1.4.0")
        self.run_check(update=True)
        self.assertEqual(self.outcome(removed, "1.5.0")[0], 1)
        self.assertEqual(self.outcome(removed, "2.0.0")[0], 0)


if __name__ == "__main__":
    unittest.main()
