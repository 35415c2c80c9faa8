package main

import (
	"fmt"
	"os"

	"github.com/xuri/excelize/v2"
)

func main() {
	for _, name := range os.Args[1:] {
		f, err := excelize.OpenFile(name)
		if err != nil {
			fmt.Println(name, err)
			continue
		}
		fmt.Println("=====", name)
		for _, sh := range f.GetSheetList() {
			rows, _ := f.GetRows(sh)
			fmt.Println("--", sh, len(rows))
			for i, r := range rows {
				if i > 40 {
					break
				}
				fmt.Printf("%q\n", r)
			}
		}
	}
}
