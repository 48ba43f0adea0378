package main

import "fmt"

// main prints a greeting.
func main() {
	fmt.Println(greet("beta"))
}

func greet(name string) string {
	return "hello " + name
}
